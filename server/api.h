/*
 * Endpoint handlers (docs/PROTOCOL.md sections 4, 5, 6, 9, 10). Each runs
 * with req->db borrowed for the request and, for authenticated routes,
 * req->caller filled in; each fills *resp.
 */
#ifndef DOORSTEP_SERVER_API_H
#define DOORSTEP_SERVER_API_H

#include <stdbool.h>

#include <cJSON.h>

#include "server/http.h"
#include "server/reqjson.h"

void api_login(struct request *req, struct response *resp);
void api_logout(struct request *req, struct response *resp);
void api_hello(struct request *req, struct response *resp);
void api_push(struct request *req, struct response *resp);
void api_pull(struct request *req, struct response *resp);
void api_ref(struct request *req, struct response *resp);

/* Parse the body strictly; on failure *resp holds the problem and false is returned. */
bool api_parse_body(struct request *req, struct response *resp, cJSON **out);

/* Answer 400 for a reqjson failure. */
void api_bad_request(struct response *resp, const struct reqjson_err *err);

/*
 * Check "protocol" (must be 1) and, when need_schema, "schema" (must be an
 * accepted schema) in a request body; on failure *resp is the 400 answer.
 */
bool api_check_versions(const cJSON *root, bool need_schema, struct response *resp);

/* JSON array of the accepted schema names. */
cJSON *api_schemas_accepted(void);

#endif
