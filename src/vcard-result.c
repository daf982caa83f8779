/* The contacts and problems of an import, shared by vcard and alias. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy.h"
#include "text.h"
#include "vcard.h"
#include "vcard-int.h"
#include "xmalloc.h"

#define VCARD_SHOW	40	/* characters of input quoted in a message */

/* Append a problem found at a line. */
void
vcard_problem(struct vcard_result *out, int line, const char *fmt, ...)
{
	va_list	 ap;

	out->p = xreallocarray(out->p, out->np + 1, sizeof *out->p);
	va_start(ap, fmt);
	out->p[out->np].msg = xvasprintf(fmt, ap);
	va_end(ap);
	out->p[out->np].line = line;
	out->np++;
}

/* Append a copy of a contact. */
void
vcard_add(struct vcard_result *out, const char *address, const char *name,
    enum policy policy, const char *notes)
{
	struct vcard_contact	*c;

	out->v = xreallocarray(out->v, out->n + 1, sizeof *out->v);
	c = &out->v[out->n++];
	memset(c, 0, sizeof *c);
	c->address = xstrdup(address);
	c->name = name != NULL && strcasecmp(name, address) != 0 ?
	    xstrdup(name) : NULL;
	c->policy = policy;
	c->notes = xstrdup(notes);
}

/* A short, safe copy of some input to quote in a message. */
char *
vcard_show(const char *s)
{
	char	*san, *p;
	size_t	 n, i;

	san = text_sanitize(s);
	for (p = san; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	/* Cut after VCARD_SHOW characters, not inside one. */
	for (n = i = 0; san[i] != '\0'; i++) {
		if (((unsigned char)san[i] & 0xc0) != 0x80 && n++ == VCARD_SHOW) {
			p = xasprintf("%.*s...", (int)i, san);
			free(san);
			return p;
		}
	}
	return san;
}

/* Next physical line (without its CRLF or LF); 0 at the end. */
int
vcard_physical(const char *text, size_t len, size_t *pos, const char **start,
    size_t *n)
{
	const char	*nl;

	if (*pos >= len)
		return 0;
	*start = text + *pos;
	nl = memchr(*start, '\n', len - *pos);
	if (nl == NULL) {
		*n = len - *pos;
		*pos = len;
	} else {
		*n = (size_t)(nl - *start);
		*pos += *n + 1;
	}
	if (*n > 0 && (*start)[*n - 1] == '\r')
		(*n)--;
	return 1;
}

/* Sanitize a name to one trimmed line (frees s); NULL when empty. */
char *
vcard_one_line(char *s)
{
	char	*san, *p, *t;

	if (s == NULL)
		return NULL;
	san = text_sanitize(s);
	free(s);
	for (p = san; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	t = text_trim(san);
	if (*t == '\0') {
		free(san);
		return NULL;
	}
	t = xstrdup(t);
	free(san);
	return t;
}

/* Add a copy of s to a list of strings unless it is there (any case). */
void
vcard_strs_add(char ***v, size_t *n, const char *s)
{
	size_t	 i;

	for (i = 0; i < *n; i++)
		if (strcasecmp((*v)[i], s) == 0)
			return;
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = xstrdup(s);
}

/* Free a list of strings. */
void
vcard_strs_free(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Put contact i of out in a group. */
void
vcard_join(struct vcard_result *out, size_t i, const char *group)
{
	struct vcard_contact	*c = &out->v[i];

	vcard_strs_add(&c->groups, &c->ngroups, group);
}

/* Free a contact's strings. */
void
vcard_contact_clear(struct vcard_contact *c)
{
	if (c == NULL)
		return;
	free(c->address);
	free(c->name);
	free(c->notes);
	free(c->alias);
	vcard_strs_free(c->groups, c->ngroups);
	memset(c, 0, sizeof *c);
	c->policy = POLICY_UNSET;
}

/* Free a result. */
void
vcard_result_clear(struct vcard_result *r)
{
	size_t	 i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		vcard_contact_clear(&r->v[i]);
	for (i = 0; i < r->np; i++)
		free(r->p[i].msg);
	free(r->v);
	free(r->p);
	memset(r, 0, sizeof *r);
}
