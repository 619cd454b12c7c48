// Wrappers for the parts of ncursesw that Swift cannot import: function-like or casting
// macros and C globals (Swift 6 refuses to read C globals as "not concurrency-safe").
#ifndef SPANSCOPE_CNCURSES_SHIM_H
#define SPANSCOPE_CNCURSES_SHIM_H

// SwiftPM drops pkg-config's -D_XOPEN_SOURCE flags; without these the wide-character API
// (cchar_t, setcchar, mvadd_wch, get_wch) stays hidden.
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <locale.h>
#include <stdio.h>
#include <wchar.h>
#include <ncursesw/curses.h>
#include <ncursesw/term.h>

static inline WINDOW *spanscope_stdscr(void) { return stdscr; }
static inline WINDOW *spanscope_curscr(void) { return curscr; }
static inline FILE *spanscope_stdin(void) { return stdin; }
static inline FILE *spanscope_stdout(void) { return stdout; }
static inline int spanscope_lines(void) { return LINES; }
static inline int spanscope_cols(void) { return COLS; }
static inline int spanscope_colors(void) { return COLORS; }
static inline int spanscope_color_pairs(void) { return COLOR_PAIRS; }

static inline void spanscope_getmaxyx(WINDOW *w, int *rows, int *cols) {
    int y = 0, x = 0;
    getmaxyx(w, y, x);
    *rows = y;
    *cols = x;
}

static inline attr_t spanscope_a_bold(void) { return A_BOLD; }
static inline attr_t spanscope_a_dim(void) { return A_DIM; }
static inline attr_t spanscope_a_underline(void) { return A_UNDERLINE; }
static inline attr_t spanscope_a_reverse(void) { return A_REVERSE; }
static inline attr_t spanscope_a_italic(void) { return A_ITALIC; }


/// tigetstr returns (char *)-1 for "not a string capability"; fold that into NULL.
static inline const char *spanscope_tigetstr(const char *name) {
    char *s = tigetstr((char *)name);
    if (s == (char *)-1) return NULL;
    return s;
}

#endif
