/* The full-screen client: unlock the cache, then the household screens. */
#ifndef DOORSTEP_TUI_TUI_H
#define DOORSTEP_TUI_TUI_H

struct config;

/*
 * Run the screens on the controlling terminal until the user quits.
 * Call from the main thread with stdin and stdout on a terminal, after
 * choosing the locale and message language (setlocale, textdomain); it only
 * switches LC_CTYPE to C.UTF-8 if the current one is not UTF-8. It takes
 * over SIGINT, SIGTERM, SIGHUP and SIGWINCH while running, and gives the
 * terminal back as it found it, also when stopped by a signal.
 * Opens the cache with `passphrase` when it is not NULL (the caller read it
 * from --passphrase-file; it is borrowed and the caller wipes it); otherwise,
 * or when that passphrase does not open the cache, asks for it first
 * (creating the cache in cfg->data_dir on first run). `cfg` is borrowed. Returns the process exit
 * status: 0 on a normal quit, 1 when the screens could not start (a one-line reason is on stderr),
 * 129/143 after SIGHUP/SIGTERM (typed input kept as drafts). DOORSTEP_TODAY=YYYY-MM-DD in the
 * environment pins "today" (screen tests, demos); NO_COLOR (non-empty) turns colours off.
 */
int tui_main(const struct config *cfg, const char *passphrase);

#endif
