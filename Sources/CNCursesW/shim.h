// Parley's view of ncursesw: the wide-character API, plus static inline
// wrappers for what Swift cannot import (macros and variadic functions).
#ifndef PARLEY_CNCURSESW_SHIM_H
#define PARLEY_CNCURSESW_SHIM_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <string.h>
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <ncursesw/curses.h>

/// The columns ncurses counts for one code point (wcwidth is not visible to Swift
/// without _XOPEN_SOURCE in glibc's headers); -1 for non-printable ones.
int wcwidth(wchar_t c);
static inline int parley_wcwidth(unsigned int codePoint) { return wcwidth((wchar_t)codePoint); }

/// COLOR_PAIR(n) as a function.
static inline attr_t parley_color_pair(int pair) { return (attr_t)COLOR_PAIR(pair); }

/// Attribute bits (macros in curses.h).
static inline attr_t parley_attr_bold(void) { return A_BOLD; }
static inline attr_t parley_attr_dim(void) { return A_DIM; }
static inline attr_t parley_attr_reverse(void) { return A_REVERSE; }
static inline attr_t parley_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t parley_attr_italic(void) { return A_ITALIC; }
static inline attr_t parley_attr_normal(void) { return A_NORMAL; }

/// getmaxyx(stdscr, rows, cols).
static inline void parley_screen_size(int *rows, int *cols) {
    int r, c;
    getmaxyx(stdscr, r, c);
    *rows = r;
    *cols = c;
}

/// Sets the attributes and the colour pair (extended pairs above 255 included).
static inline void parley_set_attributes(attr_t attributes, int pair) {
    attr_set(attributes, (short)(pair < 32768 ? pair : 0), &pair);
}

/// mvaddnwstr: writes up to n wide characters at row, col.
static inline int parley_put_wide(int row, int col, const wchar_t *text, int n) {
    return mvaddnwstr(row, col, text, n);
}

/// Writes one grapheme cluster of up to CCHARW_MAX scalars into the cell at row, col, its
/// first scalar giving the width (an emoji ZWJ sequence: setcchar would drop every spacing
/// scalar after the first). ncurses sends all the cell's scalars to the terminal.
static inline int parley_put_cluster(int row, int col, const wchar_t *scalars, int n) {
    if (n <= 0 || n > CCHARW_MAX) return ERR;
    cchar_t cell;
    memset(&cell, 0, sizeof cell);
    for (int i = 0; i < n; i++) cell.chars[i] = scalars[i];
    return mvadd_wch(row, col, &cell);
}

/// How many scalars one cell can hold.
static inline int parley_cell_scalars(void) { return CCHARW_MAX; }

/// Blank cells from (row, col) for count columns, with the current attributes.
static inline void parley_blank(int row, int col, int count) {
    if (count <= 0) return;
    move(row, col);
    for (int i = 0; i < count; i++) addch(' ');
}

/// get_wch on stdscr: OK (a character), KEY_CODE_YES (a function key) or ERR (timeout).
static inline int parley_get_wch(wint_t *out) { return get_wch(out); }

/// The keycode ncurses assigned to a terminfo key capability (e.g. "kUP3"), or 0.
static inline int parley_key_code_for_capability(const char *capability) {
    const char *sequence = tigetstr(capability);
    if (sequence == NULL || sequence == (char *)-1) return 0;
    int code = key_defined(sequence);
    return code > 0 ? code : 0;
}

/// Whether the C library's current character encoding is UTF-8.
static inline int parley_locale_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    return codeset != NULL && (codeset[0] == 'U' || codeset[0] == 'u') &&
           (codeset[1] == 'T' || codeset[1] == 't') && (codeset[2] == 'F' || codeset[2] == 'f');
}

/// stdscr and the globals curses sets, behind functions (Swift sees them as shared mutable state).
static inline void parley_configure_keys(void) {
    keypad(stdscr, TRUE);
    intrflush(stdscr, FALSE);
}
static inline void parley_clear_on_next_refresh(void) { clearok(stdscr, TRUE); }
// No insert/delete-line optimisation: it would scroll pictures drawn outside curses.
static inline void parley_disable_line_scrolling(void) { idlok(stdscr, FALSE); scrollok(stdscr, FALSE); }
static inline int parley_color_count(void) { return COLORS; }

/// Key codes (macros).
static inline int parley_key_resize(void) { return KEY_RESIZE; }
static inline int parley_key_up(void) { return KEY_UP; }
static inline int parley_key_down(void) { return KEY_DOWN; }
static inline int parley_key_left(void) { return KEY_LEFT; }
static inline int parley_key_right(void) { return KEY_RIGHT; }
static inline int parley_key_home(void) { return KEY_HOME; }
static inline int parley_key_end(void) { return KEY_END; }
static inline int parley_key_backspace(void) { return KEY_BACKSPACE; }
static inline int parley_key_delete(void) { return KEY_DC; }
static inline int parley_key_page_up(void) { return KEY_PPAGE; }
static inline int parley_key_page_down(void) { return KEY_NPAGE; }
static inline int parley_key_back_tab(void) { return KEY_BTAB; }
static inline int parley_key_enter(void) { return KEY_ENTER; }
static inline int parley_key_f(int n) { return KEY_F(n); }
static inline int parley_key_code_yes(void) { return KEY_CODE_YES; }

#endif
