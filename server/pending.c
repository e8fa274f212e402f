/* Placeholders for the parts of the server not written yet; removed as they land. */
#include <stdio.h>
#include "server/admin.h"
#include "server/api.h"
#include "server/problem.h"
int
admin_import(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("doorstep-server: this command is not implemented yet\n", stderr);
    return 1;
}
int
admin_assign(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("doorstep-server: this command is not implemented yet\n", stderr);
    return 1;
}
int
admin_seed(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("doorstep-server: this command is not implemented yet\n", stderr);
    return 1;
}
int
admin_export(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("doorstep-server: this command is not implemented yet\n", stderr);
    return 1;
}
void
api_push(struct request *req, struct response *resp)
{
    (void)req;
    problem_set(resp, PROB_INTERNAL, NULL, NULL, "not implemented yet");
}
void
api_pull(struct request *req, struct response *resp)
{
    (void)req;
    problem_set(resp, PROB_INTERNAL, NULL, NULL, "not implemented yet");
}
