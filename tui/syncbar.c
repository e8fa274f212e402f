/* The sync part of the status line in words (tui/syncbar.h). */
#include "tui/syncbar.h"

#include <stdio.h>
#include <string.h>

#include "core/i18n.h"

bool
syncbar_needs_login(const struct sync_status_info *info, time_t now)
{
    if (!info->user[0] || !info->logged_in)
        return true;
    return info->token_expires_at > 0 && info->token_expires_at <= (int64_t)now;
}

void
syncbar_local_time(const char *rfc3339, char *buf, size_t size)
{
    struct tm tm = {0}, local;
    buf[0] = '\0';
    if (!rfc3339 || sscanf(rfc3339, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                           &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    if (t == (time_t)-1 || !localtime_r(&t, &local))
        return;
    strftime(buf, size, "%Y-%m-%d %H:%M", &local);
}

static void
progress_text(const struct sync_progress *p, char *buf, size_t size)
{
    switch (p->phase) {
    case SYNC_PHASE_CONNECT:
        snprintf(buf, size, "%s", _("Syncing: connecting"));
        break;
    case SYNC_PHASE_PUSH:
        snprintf(buf, size, _("Syncing: sent %ld of %ld edits"), p->pushed, p->to_push);
        break;
    case SYNC_PHASE_PULL:
        snprintf(buf, size, _("Syncing: received %ld changes, %ld pages, %lld KB"), p->records,
                 p->pages, (long long)((p->bytes_sent + p->bytes_received + 1023) / 1024));
        break;
    case SYNC_PHASE_WAIT:
        snprintf(buf, size, _("Syncing: trying again in %lld s"),
                 (long long)((p->wait_ms + 999) / 1000));
        break;
    default:
        snprintf(buf, size, "%s", _("Syncing"));
        break;
    }
}

/* The outcome of the last sync of this session. */
static void
result_text(const struct sync_worker_status *ws, const char *login_key, char *buf, size_t size)
{
    const struct sync_result *r = &ws->last;
    switch (ws->last_status) {
    case DP_OK: {
        struct tm tm;
        char at[16] = "";
        time_t t = ws->last_finished_at;
        if (localtime_r(&t, &tm))
            strftime(at, sizeof at, "%H:%M", &tm);
        snprintf(buf, size, _("Synced %s, %ld sent, %ld received"), at,
                 r->applied + r->merged + r->conflicts + r->rejected + r->duplicates,
                 r->puts + r->removes + r->conflict_updates);
        break;
    }
    case DP_ECANCELED:
        snprintf(buf, size, "%s", _("Sync cancelled"));
        break;
    case DP_EAUTH:
        snprintf(buf, size, _("Not synced: log in first (press %s)"), login_key);
        break;
    default:
        snprintf(buf, size, _("Sync failed: %s"),
                 r->message[0] ? r->message : _(dp_strerror(ws->last_status)));
        break;
    }
}

void
syncbar_state(const struct sync_worker_status *ws, const struct sync_status_info *info,
              const char *login_key, time_t now, char *buf, size_t size)
{
    char when[32];
    if (ws && ws->error[0]) {
        snprintf(buf, size, _("Sync unavailable: %s"), ws->error);
        return;
    }
    if (ws && ws->running) {
        if (ws->job == SYNC_JOB_LOGIN)
            snprintf(buf, size, "%s", _("Logging in..."));
        else
            progress_text(&ws->progress, buf, size);
        return;
    }
    /* A failed sync says why until a later one works; a login alone changes nothing here. */
    if (ws && ws->finished && ws->job == SYNC_JOB_SYNC &&
        (ws->last_status != DP_EAUTH || syncbar_needs_login(info, now))) {
        result_text(ws, login_key, buf, size);
        return;
    }
    if (syncbar_needs_login(info, now)) {
        if (info->user[0])
            snprintf(buf, size, _("Logged out: press %s to log in"), login_key);
        else
            snprintf(buf, size, _("Not logged in: press %s"), login_key);
        return;
    }
    if (info->last_error[0]) {
        snprintf(buf, size, _("Last sync failed: %s"), info->last_error);
        return;
    }
    syncbar_local_time(info->last_success, when, sizeof when);
    if (when[0])
        snprintf(buf, size, _("Last synced %s"), when);
    else
        snprintf(buf, size, "%s", _("Never synced"));
}

void
syncbar_counts(const struct sync_status_info *info, char *buf, size_t size)
{
    size_t len;
    snprintf(buf, size, _("To send: %ld"), info->pending);
    len = strlen(buf);
    if (info->conflicts > 0 && len < size) {
        snprintf(buf + len, size - len, _(", conflicts: %ld"), info->conflicts);
        len = strlen(buf);
    }
    if (info->rejected > 0 && len < size)
        snprintf(buf + len, size - len, _(", refused: %ld"), info->rejected);
}

void
syncbar_state_brief(const struct sync_worker_status *ws, const struct sync_status_info *info,
                    const char *login_key, const char *problems_key, time_t now, char *buf,
                    size_t size)
{
    if (ws && !ws->error[0] && ws->running) {
        snprintf(buf, size, "%s", ws->job == SYNC_JOB_LOGIN ? _("Logging in...") : _("Syncing..."));
        return;
    }
    if (ws && !ws->error[0] && ws->finished && ws->job == SYNC_JOB_SYNC) {
        if (ws->last_status == DP_OK) {
            struct tm tm;
            char at[16] = "";
            time_t t = ws->last_finished_at;
            if (localtime_r(&t, &tm))
                strftime(at, sizeof at, "%H:%M", &tm);
            snprintf(buf, size, _("Synced %s"), at);
            return;
        }
        if (ws->last_status != DP_EAUTH && ws->last_status != DP_ECANCELED) {
            snprintf(buf, size, _("Sync failed: see %s"), problems_key);
            return;
        }
    }
    if (!(ws && ws->error[0]) && !syncbar_needs_login(info, now) && info->last_error[0]) {
        snprintf(buf, size, _("Last sync failed: see %s"), problems_key);
        return;
    }
    syncbar_state(ws, info, login_key, now, buf, size);
}
