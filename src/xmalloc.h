/*
 * xmalloc: allocation that cannot fail.  On allocation failure the fatal
 * hook (set by the interface to restore the terminal) runs, a message is
 * printed and the process exits: this is the only exit() in the core.
 */
#ifndef TERN_XMALLOC_H
#define TERN_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

/* Set a function called before exiting on allocation failure (may be NULL). */
void	 xmalloc_set_fatal_hook(void (*)(void));

/* Each returns memory the caller frees with free(). */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);		/* NULL in, NULL out */
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *, va_list);

#endif
