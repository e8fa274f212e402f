/* GET /sync/v1/ref/{name} (docs/PROTOCOL.md section 10). */
#include "server/api.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/schema.h"
#include "server/db.h"
#include "server/problem.h"

static const char *const type_names[] = {
    [FT_UUID] = "uuid",           [FT_TEXT] = "text",   [FT_NAME] = "name",
    [FT_NOTE] = "note",           [FT_ENUM] = "enum",   [FT_SET] = "set",
    [FT_DATE] = "date",           [FT_MONEY] = "money", [FT_BOOL] = "bool",
    [FT_ID_NUMBER] = "id_number", [FT_PHONE] = "phone", [FT_USER] = "user",
};

static const char *const merge_names[] = {
    [MERGE_MANUAL] = "manual",
    [MERGE_LWW] = "lww",
    [MERGE_APPEND] = "append",
};

static cJSON *
schema_json(void)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "schema", SCHEMA_NAME);
    cJSON *recs = cJSON_AddArrayToObject(o, "records");
    for (size_t r = 0; schema_records[r]; r++) {
        const struct record_def *def = schema_records[r];
        cJSON *rec = cJSON_CreateObject();
        cJSON_AddItemToArray(recs, rec);
        cJSON_AddStringToObject(rec, "name", def->name);
        cJSON *fields = cJSON_AddArrayToObject(rec, "fields");
        for (size_t i = 0; i < def->nfields; i++) {
            const struct field_def *f = &def->fields[i];
            cJSON *fo = cJSON_CreateObject();
            cJSON_AddItemToArray(fields, fo);
            cJSON_AddStringToObject(fo, "name", f->name);
            cJSON_AddStringToObject(fo, "type", type_names[f->type]);
            cJSON *flags = cJSON_AddArrayToObject(fo, "flags");
            static const struct {
                unsigned bit;
                const char *name;
            } fl[] = {{FF_REQUIRED, "required"},
                      {FF_IMMUTABLE, "immutable"},
                      {FF_SERVER, "server"},
                      {FF_SUPERVISOR, "supervisor"},
                      {FF_HIDDEN, "hidden"}};
            for (size_t k = 0; k < sizeof fl / sizeof fl[0]; k++)
                if (f->flags & fl[k].bit)
                    cJSON_AddItemToArray(flags, cJSON_CreateString(fl[k].name));
            if (f->max_chars)
                cJSON_AddNumberToObject(fo, "max_chars", f->max_chars);
            if (f->choices) {
                cJSON *ch = cJSON_AddArrayToObject(fo, "choices");
                for (size_t k = 0; f->choices[k].token; k++)
                    cJSON_AddItemToArray(ch, cJSON_CreateString(f->choices[k].token));
            }
            cJSON_AddStringToObject(fo, "merge", merge_names[f->merge]);
        }
    }
    return o;
}

static cJSON *
team_json(struct request *req, enum dp_status *st)
{
    struct dp_error err;
    sqlite3_stmt *q;
    *st = db_prepare(req->db,
                     "SELECT name, role FROM users WHERE team = ? AND disabled = 0 ORDER BY name",
                     &q, &err);
    if (*st != DP_OK)
        return NULL;
    sqlite3_bind_text(q, 1, req->caller.team, -1, SQLITE_STATIC);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "team", req->caller.team);
    cJSON *members = cJSON_AddArrayToObject(o, "members");
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "name", db_text(q, 0));
        cJSON_AddStringToObject(m, "role", db_text(q, 1));
        cJSON_AddItemToArray(members, m);
    }
    if (rc != SQLITE_DONE) {
        *st = db_fail(req->db, rc, "users", &err);
        cJSON_Delete(o);
        o = NULL;
    }
    sqlite3_finalize(q);
    return o;
}

void
api_ref(struct request *req, struct response *resp)
{
    const char *name = req->path + strlen("/sync/v1/ref/");
    cJSON *o = NULL;
    enum dp_status st = DP_OK;
    if (strcmp(name, "schema") == 0) {
        o = schema_json();
    } else if (strcmp(name, "team") == 0) {
        o = team_json(req, &st);
    } else {
        problem_set(resp, PROB_NOT_FOUND, NULL, NULL, "no such reference data");
        return;
    }
    if (!o) {
        problem_from_status(resp, st == DP_OK ? DP_ENOMEM : st);
        return;
    }
    response_json(resp, 200, o);
    if (resp->status != 200)
        return;
    /* A strong ETag over the exact body. */
    unsigned char h[crypto_generichash_BYTES_MIN];
    char hex[sizeof h * 2 + 1];
    crypto_generichash(h, sizeof h, (const unsigned char *)resp->body, resp->len, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(resp->etag, sizeof resp->etag, "\"%s\"", hex);
    if (req->if_none_match && strstr(req->if_none_match, resp->etag)) {
        response_raw(resp, 304, "application/json", NULL, 0);
        snprintf(resp->etag, sizeof resp->etag, "\"%s\"", hex);
    }
}
