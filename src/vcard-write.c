/* Contact export as vCard 3.0, and the stable UID of a card. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "policy.h"
#include "text.h"
#include "vcard.h"
#include "xmalloc.h"

#define VCARD_FOLD	75	/* octets per line, RFC 6350 3.2 */

static void	 vcard_write_n(struct buf *, const char *);
static uint64_t	 vcard_fnv(const char *, uint64_t);
static void	 vcard_escape(struct buf *, const char *);
static void	 vcard_fold(struct buf *, const char *, size_t);

/* Append s with vCard text escapes. */
static void
vcard_escape(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == ',' || *s == ';') {
			buf_addc(b, '\\');
			buf_addc(b, *s);
		} else if (*s == '\n')
			buf_add(b, "\\n", 2);
		else if (*s != '\r')
			buf_addc(b, *s);
	}
}

/* Append one content line, folded at 75 octets, with CRLF. */
static void
vcard_fold(struct buf *b, const char *s, size_t n)
{
	size_t	 room = VCARD_FOLD, cut;

	for (;;) {
		if (n <= room) {
			buf_add(b, s, n);
			break;
		}
		/* Never cut before a UTF-8 continuation byte. */
		for (cut = room; cut > 1 &&
		    ((unsigned char)s[cut] & 0xc0) == 0x80; cut--)
			;
		buf_add(b, s, cut);
		buf_add(b, "\r\n ", 3);
		s += cut;
		n -= cut;
		room = VCARD_FOLD - 1;
	}
	buf_add(b, "\r\n", 2);
}

/* N from a display name: "Family, Given" or "Given ... Family[, Jr.]". */
static void
vcard_write_n(struct buf *line, const char *name)
{
	static const char	*suffixes[] = { "Jr.", "Jr", "Sr.", "Sr", "II",
	    "III", "IV", "PhD", "Ph.D.", "MD", "M.D.", "Esq.", NULL };
	char			*copy, *sep, *family, *given, *t;
	char			*suffix = NULL;
	size_t			 i;
	int			 comma = 0;

	buf_adds(line, "N:");
	if (name == NULL) {
		buf_adds(line, ";;;;");
		return;
	}
	copy = xstrdup(name);
	/* "Frank, Jr.": the comma sets off a suffix, not the given name. */
	if ((sep = strchr(copy, ',')) != NULL) {
		t = text_trim(sep + 1);
		for (i = 0; suffixes[i] != NULL; i++)
			if (strcasecmp(t, suffixes[i]) == 0)
				break;
		if (suffixes[i] != NULL) {
			*sep = '\0';
			suffix = t;
		}
	}
	if (sep == NULL || suffix != NULL)
		sep = NULL;
	else
		comma = 1;
	if (sep == NULL)
		sep = strrchr(copy, ' ');
	if (comma) {
		*sep = '\0';
		family = text_trim(copy);
		given = text_trim(sep + 1);
	} else if (sep != NULL) {
		*sep = '\0';
		family = text_trim(sep + 1);
		given = text_trim(copy);
	} else {
		family = copy + strlen(copy);
		given = copy;
	}
	vcard_escape(line, family);
	buf_addc(line, ';');
	vcard_escape(line, given);
	buf_adds(line, ";;;");
	if (suffix != NULL)
		vcard_escape(line, suffix);
	free(copy);
}

/* Write contacts as vCard 3.0. */
char *
vcard_write(const struct vcard_contact *v, size_t n)
{
	struct buf	 b = BUF_INIT, line = BUF_INIT;
	const char	*addr;
	char		*uid;
	size_t		 i, j;

	buf_add(&b, "", 0);
	for (i = 0; i < n; i++) {
		addr = v[i].address != NULL ? v[i].address : "";
		buf_adds(&b, "BEGIN:VCARD\r\nVERSION:3.0\r\n");
		uid = vcard_uid(addr);
		buf_reset(&line);
		buf_addf(&line, "UID:%s", uid);
		vcard_fold(&b, line.s, line.len);
		free(uid);
		buf_reset(&line);
		vcard_write_n(&line, v[i].name);
		vcard_fold(&b, line.s, line.len);
		buf_reset(&line);
		buf_adds(&line, "FN:");
		vcard_escape(&line, v[i].name != NULL ? v[i].name : addr);
		vcard_fold(&b, line.s, line.len);
		if (v[i].alias != NULL && v[i].alias[0] != '\0') {
			buf_reset(&line);
			buf_adds(&line, "NICKNAME:");
			vcard_escape(&line, v[i].alias);
			vcard_fold(&b, line.s, line.len);
		}
		buf_reset(&line);
		buf_adds(&line, "EMAIL;TYPE=INTERNET:");
		vcard_escape(&line, addr);
		vcard_fold(&b, line.s, line.len);
		if (v[i].ngroups > 0) {
			buf_reset(&line);
			buf_adds(&line, "CATEGORIES:");
			for (j = 0; j < v[i].ngroups; j++) {
				if (j > 0)
					buf_addc(&line, ',');
				vcard_escape(&line, v[i].groups[j]);
			}
			vcard_fold(&b, line.s, line.len);
		}
		if (v[i].notes != NULL && v[i].notes[0] != '\0') {
			buf_reset(&line);
			buf_adds(&line, "NOTE:");
			vcard_escape(&line, v[i].notes);
			vcard_fold(&b, line.s, line.len);
		}
		if (v[i].policy > POLICY_UNSET && v[i].policy < POLICY_LAST)
			buf_addf(&b, "X-TERN-TLS:%s\r\n",
			    policy_name(v[i].policy));
		buf_adds(&b, "END:VCARD\r\n");
	}
	buf_free(&line);
	return buf_steal(&b);
}

/* FNV-1a over a string, from a start value. */
static uint64_t
vcard_fnv(const char *s, uint64_t h)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* A stable UUID-shaped UID for an address. */
char *
vcard_uid(const char *address)
{
	char		*key, *at;
	uint64_t	 hi, lo;

	key = xstrdup(address);
	if ((at = strrchr(key, '@')) != NULL)
		for (; *at != '\0'; at++)
			if (*at >= 'A' && *at <= 'Z')
				*at = (char)(*at - 'A' + 'a');
	hi = vcard_fnv(key, 0xcbf29ce484222325ULL);
	lo = vcard_fnv(key, hi ^ 0x9e3779b97f4a7c15ULL);
	free(key);
	/* Version 8 (custom), variant 10. */
	hi = (hi & ~0xf000ULL) | 0x8000ULL;
	lo = (lo & ~(3ULL << 62)) | (2ULL << 62);
	return xasprintf("%08llx-%04llx-%04llx-%04llx-%012llx",
	    (unsigned long long)(hi >> 32),
	    (unsigned long long)((hi >> 16) & 0xffff),
	    (unsigned long long)(hi & 0xffff),
	    (unsigned long long)(lo >> 48),
	    (unsigned long long)(lo & 0xffffffffffffULL));
}
