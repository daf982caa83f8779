/*
 * text: making untrusted text safe to show and store.
 */
#ifndef TERN_TEXT_H
#define TERN_TEXT_H

#include <stddef.h>

/*
 * Return a new copy of s (caller frees) where every control character
 * (C0 but newline, DEL, C1, so escape sequences can do nothing), every
 * bidirectional control (U+061C, U+200E, U+200F, U+202A-U+202E,
 * U+2066-U+2069, so text cannot be shown reordered) and every invalid
 * UTF-8 byte is replaced by '?', tabs become spaces and CR is dropped.
 * Other valid UTF-8 is kept.
 */
char	*text_sanitize(const char *);
/* Same for n bytes of s, which may contain NUL. */
char	*text_sanitize_n(const char *, size_t);
/* As text_sanitize_n, and newlines become spaces: one line (caller frees). */
char	*text_sanitize_line(const char *, size_t);
/*
 * Return a new copy of s (caller frees) for an error message that echoes
 * what the user wrote: each byte text_sanitize would replace (controls,
 * tabs and newlines included, bidirectional controls, invalid UTF-8) is
 * written as \xNN, so it is seen and does nothing to the terminal.
 */
char	*text_escape(const char *);
/* Strip spaces, tabs and CRs at both ends of s, in place; returns s's new start. */
char	*text_trim(char *);
/* 1 when s is valid UTF-8, else 0. */
int	 text_is_utf8(const char *, size_t);
/* 1 when s has a byte >= 0x80. */
int	 text_has_8bit(const char *, size_t);

#endif
