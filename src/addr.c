/* E-mail addresses: libetpan's mailimf parser plus our own checks. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "addr.h"
#include "err.h"
#include "text.h"
#include "xmalloc.h"

#define ADDR_LOCAL_MAX	64
#define ADDR_DOMAIN_MAX	255
#define ADDR_PATH_MAX	254
#define ADDR_LABEL_MAX	63

static const char	*addr_why(const char *);
static const char	*addr_why_domain(const char *);
static int		 addr_is_space(int);
static void		 addr_lower_domain(char *);
static char		*addr_decode_name(const char *);
static int		 addr_from_mailbox(const char *,
			    const struct mailimf_mailbox *, const char *,
			    struct addr *, struct err **);
static size_t		 addr_skip_cfws(const char *, size_t, size_t);
static char		*addr_unfold(const char *, struct err **);
static int		 addr_add_mailbox(const char *,
			    const struct mailimf_mailbox *, const char *,
			    struct addr_list *, struct err **);
static int		 addr_add_mailboxes(const char *, clist *,
			    const char *, struct addr_list *, struct err **);

/* Is c white space in a header? */
static int
addr_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* What is wrong with the domain part, or NULL. */
static const char *
addr_why_domain(const char *d)
{
	const unsigned char	*p;
	size_t			 label;

	if (*d == '\0')
		return "there is nothing after the '@'";
	if (strlen(d) > ADDR_DOMAIN_MAX)
		return "the domain is longer than 255 octets";
	if (*d == '[') {
		for (p = (const unsigned char *)d + 1; *p != ']'; p++) {
			if (*p == '\0')
				return "the address literal has no closing ']'";
			if (!((*p >= '0' && *p <= '9') || (*p >= 'a' &&
			    *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    *p == '.' || *p == ':'))
				return "the address literal may only hold an "
				    "IP address, like [192.0.2.1]";
		}
		if (p == (const unsigned char *)d + 1)
			return "the address literal is empty";
		if (p[1] != '\0')
			return "there is text after the address literal";
		return NULL;
	}
	label = 0;
	for (p = (const unsigned char *)d; ; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0)
				return "the domain has an empty label (a dot "
				    "at the start or end, or two in a row)";
			if (label > ADDR_LABEL_MAX)
				return "a label of the domain is longer than "
				    "63 octets";
			if (*p == '\0')
				break;
			label = 0;
			continue;
		}
		if (*p == ' ' || *p == '<' || *p == '>')
			return "it contains a space, '<' or '>' outside quotes";
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z') || *p == '-' || *p == '_' ||
		    *p >= 0x80))
			return "the domain contains a character that is not "
			    "allowed in a host name";
		label++;
	}
	return NULL;
}

/* What is wrong with a bare address, or NULL when it is usable. */
static const char *
addr_why(const char *s)
{
	const unsigned char	*p;
	const char		*at;
	char			*san;
	size_t			 len;
	int			 same;

	len = strlen(s);
	if (len == 0)
		return "the address is empty";
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "it contains a control character";
	if (!text_is_utf8(s, len))
		return "it is not valid UTF-8";
	/* C1 controls and bidirectional controls: what text_sanitize alters. */
	san = text_sanitize(s);
	same = strcmp(san, s) == 0;
	free(san);
	if (!same)
		return "it contains a control or text-direction character";
	p = (const unsigned char *)s;
	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\0')
				return "a quote is not closed";
			/*
			 * RFC 5321 allows them quoted, but a server that
			 * cuts MAIL FROM:<...> at the first '>' would read
			 * the rest as parameters: refuse them anywhere.
			 */
			if (*p == '<' || *p == '>')
				return "it contains '<' or '>'";
			if (*p == '\\' && *++p == '\0')
				return "a quote is not closed";
		}
		p++;
		if (*p != '@')
			return *p == '\0' ? "it has no '@' (write "
			    "user@domain)" : "the quoted part must be followed "
			    "by '@'";
	} else {
		for (; *p != '@' && *p != '\0'; p++) {
			if (*p == ' ' || *p == '<' || *p == '>')
				return "it contains a space, '<' or '>' "
				    "outside quotes";
			if (strchr("\"()[]:;,\\", *p) != NULL)
				return "the part before the '@' contains a "
				    "character that needs quotes";
		}
		if (*p == '\0')
			return "it has no '@' (write user@domain)";
	}
	at = (const char *)p;
	if (at == s)
		return "there is nothing before the '@'";
	if ((size_t)(at - s) > ADDR_LOCAL_MAX)
		return "the part before the '@' is longer than 64 octets";
	if (strchr(at + 1, '@') != NULL)
		return "it has more than one '@'";
	if (strlen(at + 1) > ADDR_DOMAIN_MAX)
		return "the domain is longer than 255 octets";
	if (len > ADDR_PATH_MAX)
		return "it is longer than 254 octets";
	return addr_why_domain(at + 1);
}

/* Check a bare address for use in the SMTP envelope. */
int
addr_check(const char *s, struct err **errp)
{
	const char	*why;
	char		*san;

	if ((why = addr_why(s)) == NULL)
		return 0;
	san = text_sanitize(s);
	err_set(errp, ERR_INPUT, 0, "invalid address \"%s\": %s", san, why);
	free(san);
	return -1;
}

/* The domain part of an address ("" when there is no '@'). */
const char *
addr_domain(const char *s)
{
	const char	*at;

	if ((at = strrchr(s, '@')) == NULL)
		return s + strlen(s);
	return at + 1;
}

/* Lower-case (ASCII) the domain of an address in place. */
static void
addr_lower_domain(char *s)
{
	char	*p;

	if ((p = strrchr(s, '@')) == NULL)
		return;
	for (; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
}

/* Decode a display name (RFC 2047) into safe UTF-8, or NULL. */
static char *
addr_decode_name(const char *raw)
{
	char	*dec = NULL, *san, *p, *start, *end;
	size_t	 idx = 0;

	if (raw == NULL)
		return NULL;
	if (mailmime_encoded_phrase_parse("utf-8", raw, strlen(raw), &idx,
	    "utf-8", &dec) != MAILIMF_NO_ERROR || dec == NULL) {
		free(dec);
		san = text_sanitize(raw);
	} else {
		san = text_sanitize(dec);
		free(dec);
	}
	for (p = san; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	for (start = san; *start == ' '; start++)
		;
	end = start + strlen(start);
	while (end > start && end[-1] == ' ')
		end--;
	if (end == start) {
		free(san);
		return NULL;
	}
	p = xstrndup(start, (size_t)(end - start));
	free(san);
	return p;
}

/*
 * Skip the comments and white space at i (libetpan's parsers take the
 * CFWS before a token, never the CFWS after the last one: a trailing
 * comment such as "bob@x (Bob)" is left to us).  Returns the new index;
 * i itself when a comment there is not closed.
 */
static size_t
addr_skip_cfws(const char *s, size_t len, size_t i)
{
	size_t	idx = i;

	if (mailimf_cfws_parse(s, len, &idx) != MAILIMF_NO_ERROR)
		return i;
	return idx;
}

/*
 * Turn a parsed mailbox into an address, checking it; a bare local part
 * ("root") gets "@domain" when domain is not NULL.
 */
static int
addr_from_mailbox(const char *input, const struct mailimf_mailbox *mb,
    const char *domain, struct addr *a, struct err **errp)
{
	char	*san;

	a->name = NULL;
	a->mailbox = NULL;
	if (mb->mb_addr_spec == NULL || strstr(input, mb->mb_addr_spec) ==
	    NULL) {
		/* libetpan joined words across spaces or comments. */
		san = text_sanitize(input);
		err_set(errp, ERR_INPUT, 0, "invalid address in \"%s\": an "
		    "address may not contain spaces or comments (separate "
		    "addresses with commas)", san);
		free(san);
		return -1;
	}
	if (domain != NULL && *domain != '\0' &&
	    strchr(mb->mb_addr_spec, '@') == NULL)
		a->mailbox = xasprintf("%s@%s", mb->mb_addr_spec, domain);
	else
		a->mailbox = xstrdup(mb->mb_addr_spec);
	if (addr_check(a->mailbox, errp) != 0) {
		free(a->mailbox);
		a->mailbox = NULL;
		return -1;
	}
	addr_lower_domain(a->mailbox);
	a->name = addr_decode_name(mb->mb_display_name);
	return 0;
}

/* Parse one address as a user writes it. */
int
addr_parse(const char *s, struct addr *a, struct err **errp)
{
	return addr_parse_in(s, NULL, a, errp);
}

/* Parse one address; a bare local part is qualified with domain. */
int
addr_parse_in(const char *s, const char *domain, struct addr *a,
    struct err **errp)
{
	struct mailimf_mailbox	*mb = NULL;
	size_t			 len, idx = 0;
	char			*san = NULL;
	int			 rv = -1;

	a->name = a->mailbox = NULL;
	len = strlen(s);
	if (strpbrk(s, "\r\n") != NULL) {
		san = text_sanitize(s);
		err_set(errp, ERR_INPUT, 0, "invalid address \"%s\": it "
		    "contains a line break", san);
		goto fail;
	}
	while (idx < len && addr_is_space((unsigned char)s[idx]))
		idx++;
	if (idx == len) {
		err_set(errp, ERR_INPUT, 0, "the address is empty");
		goto fail;
	}
	idx = 0;
	if (mailimf_mailbox_parse(s, len, &idx, &mb) != MAILIMF_NO_ERROR) {
		san = text_sanitize(s);
		err_set(errp, ERR_INPUT, 0, "cannot read \"%s\" as an address "
		    "(write user@domain or Name <user@domain>)", san);
		goto fail;
	}
	idx = addr_skip_cfws(s, len, idx);
	if (idx != len) {
		san = text_sanitize(s);
		err_set(errp, ERR_INPUT, 0, "invalid address \"%s\": "
		    "unexpected text after the address (one address is "
		    "expected here)", san);
		goto fail;
	}
	if (addr_from_mailbox(s, mb, domain, a, errp) != 0)
		goto fail;
	rv = 0;
fail:
	if (mb != NULL)
		mailimf_mailbox_free(mb);
	free(san);
	return rv;
}

/* Unfold a header value; a line break not followed by space is refused. */
static char *
addr_unfold(const char *s, struct err **errp)
{
	char	*out, *o;

	out = o = xmalloc(strlen(s) + 1);
	while (*s != '\0') {
		if (*s == '\r' || *s == '\n') {
			if (s[0] == '\r' && s[1] == '\n')
				s++;
			s++;
			if (*s != ' ' && *s != '\t') {
				free(out);
				err_set(errp, ERR_INPUT, 0, "the address list "
				    "contains a line break");
				return NULL;
			}
			continue;
		}
		*o++ = *s++;
	}
	*o = '\0';
	return out;
}

/* Convert and append one mailimf_mailbox. */
static int
addr_add_mailbox(const char *input, const struct mailimf_mailbox *mb,
    const char *domain, struct addr_list *l, struct err **errp)
{
	struct addr	 a;

	if (addr_from_mailbox(input, mb, domain, &a, errp) != 0)
		return -1;
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = a;
	return 0;
}

/* Convert and append a clist of mailimf_mailbox. */
static int
addr_add_mailboxes(const char *input, clist *list, const char *domain,
    struct addr_list *l, struct err **errp)
{
	clistiter	*it;

	for (it = clist_begin(list); it != NULL; it = clist_next(it))
		if (addr_add_mailbox(input, clist_content(it), domain, l,
		    errp) != 0)
			return -1;
	return 0;
}

/* Parse a comma-separated list of addresses and groups. */
int
addr_parse_list(const char *s, struct addr_list *l, struct err **errp)
{
	return addr_parse_list_in(s, NULL, l, errp);
}

/* Parse a list; bare local parts are qualified with domain. */
int
addr_parse_list_in(const char *s, const char *domain, struct addr_list *l,
    struct err **errp)
{
	struct mailimf_address_list	*al = NULL;
	struct mailimf_address		*ad;
	struct mailimf_group		*g;
	struct addr_list		 tmp = { NULL, 0 };
	clistiter			*it;
	char				*u, *san = NULL;
	size_t				 len, idx;
	int				 rv = -1;

	if ((u = addr_unfold(s, errp)) == NULL)
		return -1;
	len = strlen(u);
	idx = 0;
	for (;;) {
		for (;;) {
			idx = addr_skip_cfws(u, len, idx);
			if (idx == len || u[idx] != ',')
				break;
			idx++;
		}
		if (idx == len)
			break;
		if (mailimf_address_list_parse(u, len, &idx, &al) !=
		    MAILIMF_NO_ERROR || ((idx = addr_skip_cfws(u, len, idx)) <
		    len && u[idx] != ',')) {
			/*
			 * Text after what parsed: the whole value is wrong;
			 * as one address, addr_check says why in its words.
			 */
			if (al != NULL && strpbrk(text_trim(u), " \t,") ==
			    NULL && addr_check(text_trim(u), errp) == -1)
				goto fail;
			san = text_sanitize(al != NULL ? u : u + idx);
			err_set(errp, ERR_INPUT, 0, "cannot read \"%s\" as a "
			    "list of addresses (write user@domain or Name "
			    "<user@domain>, separated by commas)", san);
			goto fail;
		}
		for (it = clist_begin(al->ad_list); it != NULL;
		    it = clist_next(it)) {
			ad = clist_content(it);
			if (ad->ad_type == MAILIMF_ADDRESS_MAILBOX) {
				if (addr_add_mailbox(u, ad->ad_data.ad_mailbox,
				    domain, &tmp, errp) != 0)
					goto fail;
				continue;
			}
			g = ad->ad_data.ad_group;
			if (g->grp_mb_list != NULL && addr_add_mailboxes(u,
			    g->grp_mb_list->mb_list, domain, &tmp, errp) != 0)
				goto fail;
		}
		mailimf_address_list_free(al);
		al = NULL;
	}
	l->v = xreallocarray(l->v, l->n + tmp.n + 1, sizeof *l->v);
	if (tmp.n > 0)
		memcpy(l->v + l->n, tmp.v, tmp.n * sizeof *tmp.v);
	l->n += tmp.n;
	free(tmp.v);
	tmp.v = NULL;
	tmp.n = 0;
	rv = 0;
fail:
	if (al != NULL)
		mailimf_address_list_free(al);
	addr_list_clear(&tmp);
	free(san);
	free(u);
	return rv;
}

/* Free the strings of one address. */
void
addr_clear(struct addr *a)
{
	if (a == NULL)
		return;
	free(a->name);
	free(a->mailbox);
	a->name = a->mailbox = NULL;
}

/* Free every address of a list. */
void
addr_list_clear(struct addr_list *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		addr_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Append a copy of a name (may be NULL) and mailbox. */
void
addr_list_add(struct addr_list *l, const char *name, const char *mailbox)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n].name = xstrdup(name);
	l->v[l->n].mailbox = xstrdup(mailbox);
	l->n++;
}
