/*
 * The generated plan as records: a household, then its members, visits and
 * needs, filled into the generator's reused records and handed to the
 * caller's callback.
 */
#include "core/gen_internal.h"

#include <stdio.h>
#include <string.h>

#include "core/schema.h"

/* Household flags, in the order of the schema's list (the FLAG_* bits). */
static const char *const flag_tokens[] = {"acute_hardship", "hard_to_reach", "needs_interpreter",
                                          "disaster_hit"};

/* A note that fits the household; the ones for everybody are always candidates. */
static const char *
pick_note(struct gen_rng *rng, const struct gen_note *notes, size_t n, unsigned suits)
{
    size_t fit = 0;
    for (size_t i = 0; i < n; i++)
        fit += (notes[i].suits & suits) != 0;
    size_t k = gen_rng_below(rng, (uint32_t)fit);
    for (size_t i = 0; i < n; i++)
        if ((notes[i].suits & suits) && k-- == 0)
            return notes[i].text;
    return "";
}

static void
put(struct gen *g, struct record *r, const char *field, const char *value)
{
    if (g->st == DP_OK)
        g->st = record_set(r, field, value);
}

static void
put_date(struct gen *g, struct record *r, const char *field, const struct dp_date *d)
{
    char buf[16];
    date_format(d, buf, sizeof buf);
    put(g, r, field, buf);
}

static void
put_long(struct gen *g, struct record *r, const char *field, long v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%ld", v);
    put(g, r, field, buf);
}

static void
put_bool(struct gen *g, struct record *r, const char *field, bool v)
{
    put(g, r, field, v ? "1" : "0");
}

/* Start a record afresh: every field unset. */
static struct record *
fresh(struct gen *g, int which)
{
    struct record *r = &g->rec[which];
    for (size_t i = 0; i < r->def->nfields && g->st == DP_OK; i++)
        g->st = record_set_index(r, (int)i, "");
    return r;
}

static enum dp_status
send(struct gen *g, const struct record *r, unsigned long *counter)
{
    if (g->st != DP_OK)
        return g->st;
    g->st = g->emit(g->ctx, r);
    if (g->st == DP_OK)
        (*counter)++;
    return g->st;
}

static void
join_tokens(char *buf, size_t bufsize, const char *const *tokens, size_t n, unsigned bits)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (!(bits & (1u << i)))
            continue;
        int w = snprintf(buf + used, bufsize - used, "%s%s", used ? "," : "", tokens[i]);
        if (w < 0 || (size_t)w >= bufsize - used)
            break;
        used += (size_t)w;
    }
}

enum dp_status
gen_emit_household(struct gen *g)
{
    struct house *h = &g->h;
    struct gen_rng *r = &g->rng;
    struct record *rec = fresh(g, 0);
    const char *cat_tokens[8];
    size_t ncat = 0;
    char buf[160];

    while (schema_category_choices[ncat].token && ncat < COUNT(cat_tokens)) {
        cat_tokens[ncat] = schema_category_choices[ncat].token;
        ncat++;
    }
    put(g, rec, "id", h->id);
    put(g, rec, "head_name", h->m[0].name);
    put(g, rec, "head_id_number", h->m[0].id_number);
    put(g, rec, "phone", h->phone);
    put(g, rec, "address", h->address);
    put(g, rec, "village", h->village);
    put(g, rec, "township", h->township);
    put(g, rec, "county", h->county);
    join_tokens(buf, sizeof buf, cat_tokens, ncat, h->cats);
    put(g, rec, "categories", buf);
    put(g, rec, "risk", risk_token(h->risk));
    put(g, rec, "risk_reason", h->reason);
    put(g, rec, "risk_set_by", h->worker);
    put(g, rec, "assigned_to", h->worker);
    put(g, rec, "team", h->team);
    put(g, rec, "status", h->status);
    if (h->has_due)
        put_date(g, rec, "next_visit_due", &h->due);
    join_tokens(buf, sizeof buf, flag_tokens, COUNT(flag_tokens), h->flags);
    put(g, rec, "flags", buf);
    if (gen_chance(r, 15))
        put(g, rec, "notes", pick_note(r, gen_household_notes, gen_nhousehold_notes, h->suits));
    return send(g, rec, &g->stats->households);
}

enum dp_status
gen_emit_member(struct gen *g, const struct person *p)
{
    struct record *rec = fresh(g, 1);
    char grade[2] = {(char)('0' + p->grade), '\0'};
    char sex[2] = {p->sex, '\0'};
    put(g, rec, "id", p->id);
    put(g, rec, "household_id", g->h.id);
    put(g, rec, "name", p->name);
    put(g, rec, "relation", p->relation);
    put(g, rec, "sex", sex);
    put_date(g, rec, "birth_date", &p->birth);
    put(g, rec, "id_number", p->id_number);
    put(g, rec, "disability_grade", p->grade ? grade : "none");
    put(g, rec, "disability_type", p->grade ? gen_disability_types[p->dtype] : "none");
    put(g, rec, "illness", p->illness);
    put_bool(g, rec, "serious_illness", p->serious);
    put(g, rec, "schooling", p->schooling);
    put(g, rec, "work", p->work);
    put_bool(g, rec, "main_earner", p->main_earner);
    put_bool(g, rec, "left_behind_child", p->left_behind);
    put_bool(g, rec, "elderly_alone", p->elderly_alone);
    put(g, rec, "status", p->status);
    return send(g, rec, &g->stats->members);
}

static const char *
met_text(struct gen *g)
{
    const struct house *h = &g->h;
    /* Before a household moved or dissolved, its people were still at home. */
    if (!gen_house_active(h))
        return "户主本人";
    bool spouse = false;
    for (int i = 1; i < h->n; i++)
        spouse |= strcmp(h->m[i].relation, "spouse") == 0 && strcmp(h->m[i].status, "present") == 0;
    if (strcmp(h->m[0].status, "present") == 0) {
        if (h->sit == SIT_LEFT_BEHIND && gen_chance(&g->rng, 50))
            return "户主及孙子女";
        if (spouse && gen_chance(&g->rng, 40))
            return "户主及配偶";
        return "户主本人";
    }
    if (spouse)
        return "户主配偶";
    for (int i = 1; i < h->n; i++)
        if (strcmp(h->m[i].status, "present") == 0)
            return strcmp(h->m[i].relation, "parent") == 0 ? "户主父母" : "户主子女";
    return "村干部";
}

static void
needs_found_text(const struct house *h, char *buf, size_t bufsize)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < h->nneeds; i++) {
        int w =
            snprintf(buf + used, bufsize - used, "%s%s", used ? "、" : "", h->needs[i].item->item);
        if (w < 0 || (size_t)w >= bufsize - used)
            break;
        used += (size_t)w;
    }
}

enum dp_status
gen_emit_visit(struct gen *g, int j)
{
    struct house *h = &g->h;
    struct gen_rng *r = &g->rng;
    const struct visit_plan *vp = &h->visits[j];
    struct record *rec = fresh(g, 2);
    bool last = j == h->nvisits - 1;
    bool verification = strcmp(vp->kind, "verification") == 0;
    const char *outcome = vp->outcome;
    char buf[512];
    bool done = strcmp(outcome, "completed") == 0;

    char id[37];
    gen_uuid(r, id);
    put(g, rec, "id", id);
    put(g, rec, "household_id", h->id);
    put(g, rec, "worker", h->worker);
    put_date(g, rec, "date", &vp->date);
    put(g, rec, "kind", vp->kind);
    put(g, rec, "outcome", outcome);
    if (done)
        put(g, rec, "met", met_text(g));
    else if (strcmp(outcome, "refused") == 0)
        put(g, rec, "met", "户主本人");
    if (done && (verification || gen_chance(r, 50))) {
        long yuan = (long)h->income_yuan * gen_between(r, 90, 110) / 100;
        if (h->drop_pct && date_compare(&vp->date, &h->drop_from) >= 0)
            yuan = yuan * h->drop_pct / 100;
        long fen = yuan * 100 + (gen_chance(r, 20) ? 50 : 0);
        put_long(g, rec, "monthly_income", fen);
    }
    if (done && (verification || gen_chance(r, 30)))
        put_long(g, rec, "medical_yearly", h->medical_yuan * 100);
    if (done && (verification || gen_chance(r, 40)))
        put(g, rec, "housing", h->housing);
    if (done && verification && h->nneeds) {
        needs_found_text(h, buf, sizeof buf);
        put(g, rec, "needs_found", buf);
    }
    if (done && verification && h->risk != RISK_GREEN && gen_chance(r, 25))
        put(g, rec, "micro_wish", gen_pick(r, &gen_micro_wishes));
    if (done && (verification || gen_chance(r, 10))) {
        put(g, rec, "risk_after", risk_token(h->risk));
        bool before = h->reason_before && date_compare(&vp->date, &h->drop_from) < 0;
        put(g, rec, "risk_reason", before ? h->reason_before : h->reason);
    }

    if (strcmp(vp->kind, "emergency") == 0) {
        bool bereaved = false;
        for (int i = 0; i < h->n; i++)
            bereaved |= h->m[i].main_earner && strcmp(h->m[i].status, "deceased") == 0;
        put(g, rec, "notes",
            bereaved                     ? "主要劳动力因病去世，已启动临时救助"
            : (h->flags & FLAG_DISASTER) ? "房屋受灾，已上报乡镇"
                                         : "家庭成员突发疾病住院，已协助申请临时救助");
    } else if (strcmp(vp->kind, "follow_up") == 0) {
        put(g, rec, "notes", "回访转介需求的办理情况");
    } else if (strcmp(outcome, "not_home") == 0) {
        put(g, rec, "notes", gen_pick(r, &gen_absent_notes));
    } else if (strcmp(outcome, "refused") == 0) {
        put(g, rec, "notes", "户主不愿配合入户，已做解释工作");
    } else if (strcmp(outcome, "moved") == 0) {
        put(g, rec, "notes", "全家已迁出本村");
    } else if (strcmp(outcome, "deceased") == 0) {
        put(g, rec, "notes", "户主已去世，按程序办理注销");
    } else if (gen_chance(r, 40)) {
        put(g, rec, "notes", pick_note(r, gen_visit_notes, gen_nvisit_notes, h->suits));
    }
    if (vp->has_next)
        put_date(g, rec, "next_visit", &vp->next);

    /* Review: old visits are settled; the last weeks are still in the pipeline. */
    long age = g->today_days - date_to_days(&vp->date);
    const char *state = "approved";
    unsigned x = gen_rng_below(r, 100);
    if (age <= 14)
        state = last && x < 40 ? "draft" : x < 85 ? "submitted" : "approved";
    else if (age <= 45)
        state = x < 70 ? "approved" : x < 95 ? "submitted" : "returned";
    put(g, rec, "review_state", state);
    if (strcmp(state, "approved") == 0 || strcmp(state, "returned") == 0)
        put(g, rec, "reviewer", h->supervisor);
    if (strcmp(state, "returned") == 0)
        put(g, rec, "review_comment", gen_pick(r, &gen_return_comments));
    return send(g, rec, &g->stats->visits);
}

enum dp_status
gen_emit_need(struct gen *g, const struct need_plan *np)
{
    struct house *h = &g->h;
    struct gen_rng *r = &g->rng;
    struct record *rec = fresh(g, 3);
    char id[37];
    gen_uuid(r, id);
    put(g, rec, "id", id);
    put(g, rec, "household_id", h->id);
    if (np->member >= 0)
        put(g, rec, "member_id", h->m[np->member].id);
    put(g, rec, "category", np->item->category);
    put(g, rec, "item", np->item->item);

    static const char *const urgencies[] = {"low", "normal", "high", "urgent"};
    static const unsigned urgency_pct[3][4] = {{10, 35, 40, 15}, {20, 50, 25, 5}, {40, 55, 5, 0}};
    unsigned x = gen_rng_below(r, 100), acc = 0;
    const char *urgency = "normal";
    for (int i = 0; i < 4; i++) {
        acc += urgency_pct[h->risk][i];
        if (x < acc) {
            urgency = urgencies[i];
            break;
        }
    }
    put(g, rec, "urgency", urgency);

    x = gen_rng_below(r, 100);
    struct dp_date d;
    if (x < 30) {
        put(g, rec, "status", "open");
        d = date_from_days(g->today_days + gen_between(r, 7, 30));
        put_date(g, rec, "follow_up", &d);
        if (gen_chance(r, 30))
            put(g, rec, "notes", "已登记，待对接资源");
    } else if (x < 60) {
        put(g, rec, "status", "referred");
        put(g, rec, "referred_to", np->item->referred_to);
        d = date_from_days(g->today_days + gen_between(r, 7, 45));
        put_date(g, rec, "follow_up", &d);
    } else if (x < 90) {
        put(g, rec, "status", "met");
        if (gen_chance(r, 80))
            put(g, rec, "referred_to", np->item->referred_to);
        d = date_from_days(g->today_days - gen_between(r, 1, 120));
        put_date(g, rec, "follow_up", &d);
    } else {
        put(g, rec, "status", "closed");
        if (gen_chance(r, 50))
            put(g, rec, "referred_to", np->item->referred_to);
        put(g, rec, "notes", "家属已自行解决");
    }
    return send(g, rec, &g->stats->needs);
}
