/* Placeholder for the part of the server not written yet; removed when it lands. */
#include "server/api.h"
#include "server/problem.h"

void
api_push(struct request *req, struct response *resp)
{
    (void)req;
    problem_set(resp, PROB_INTERNAL, NULL, NULL, "not implemented yet");
}
