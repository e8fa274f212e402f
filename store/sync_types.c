/* Life cycle of the plain structs that carry wire data into the store. */
#include "store/sync_store.h"

#include <stdlib.h>
#include <string.h>

void
sync_page_init(struct sync_page *p)
{
    memset(p, 0, sizeof *p);
}

void
sync_page_done(struct sync_page *p)
{
    for (size_t i = 0; i < p->nchanges; i++) {
        struct sync_change *c = &p->changes[i];
        if (c->op == SYNC_PUT)
            record_done(&c->row);
        free(c->fields_json);
    }
    free(p->changes);
    sync_page_init(p);
}

void
sync_push_reply_init(struct sync_push_reply *r)
{
    memset(r, 0, sizeof *r);
}

void
sync_push_reply_done(struct sync_push_reply *r)
{
    for (size_t i = 0; i < r->nresults; i++)
        free(r->results[i].json);
    free(r->results);
    sync_push_reply_init(r);
}

void
sync_outbox_items_free(struct sync_outbox_item *items, size_t n)
{
    if (!items)
        return;
    for (size_t i = 0; i < n; i++) {
        free(items[i].base_json);
        free(items[i].set_json);
        free(items[i].comment);
    }
    free(items);
}
