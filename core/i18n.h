/* Translation markers. English is the source language; po/ holds zh_CN. */
#ifndef DOORSTEP_CORE_I18N_H
#define DOORSTEP_CORE_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
/* Marks a string for extraction where it is stored, translated at display. */
#define N_(s) (s)

#endif
