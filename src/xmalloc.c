/* Allocation helpers that never return NULL. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static void	(*fatal_hook)(void);
static void	 xmalloc_die(size_t) __attribute__((noreturn));

/* Remember the hook that restores the terminal. */
void
xmalloc_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

/* Give up: memory is exhausted. */
static void
xmalloc_die(size_t n)
{
	if (fatal_hook != NULL)
		fatal_hook();
	fprintf(stderr, "tern: out of memory (allocating %zu bytes)\n", n);
	exit(71);	/* EX_OSERR */
}

/* Allocate n bytes. */
void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		xmalloc_die(n);
	return p;
}

/* Allocate n zeroed objects of size sz. */
void *
xcalloc(size_t n, size_t sz)
{
	void	*p;

	if ((p = calloc(n == 0 ? 1 : n, sz == 0 ? 1 : sz)) == NULL)
		xmalloc_die(n * sz);
	return p;
}

/* Resize p to n bytes. */
void *
xrealloc(void *p, size_t n)
{
	void	*q;

	if ((q = realloc(p, n == 0 ? 1 : n)) == NULL)
		xmalloc_die(n);
	return q;
}

/* Resize p to n objects of size sz, checking for overflow. */
void *
xreallocarray(void *p, size_t n, size_t sz)
{
	if (sz != 0 && n > SIZE_MAX / sz)
		xmalloc_die(SIZE_MAX);
	return xrealloc(p, n * sz);
}

/* Copy a string; NULL stays NULL. */
char *
xstrdup(const char *s)
{
	char	*p;

	if (s == NULL)
		return NULL;
	if ((p = strdup(s)) == NULL)
		xmalloc_die(strlen(s) + 1);
	return p;
}

/* Copy at most n bytes of a string. */
char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	if ((p = strndup(s, n)) == NULL)
		xmalloc_die(n + 1);
	return p;
}

/* Format into a new string. */
char *
xvasprintf(const char *fmt, va_list ap)
{
	char	*p;

	if (vasprintf(&p, fmt, ap) == -1)
		xmalloc_die(strlen(fmt));
	return p;
}

/* Format into a new string. */
char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}
