/* Reading a message for display: a header field, the text body. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "buf.h"
#include "msg.h"
#include "msg-int.h"
#include "text.h"
#include "xmalloc.h"

static int	 msg_is_text(struct mailmime_content *, int);
static struct mailmime *msg_find_text(struct mailmime *, int);
static int	 msg_is_utf8_charset(const char *);
static void	 msg_lf(struct buf *, const char *, size_t);

/* The decoded value of the first header called name, or NULL. */
char *
msg_header(const char *s, size_t len, const char *name)
{
	struct msg_head	 h;
	char		*raw, *out = NULL, *dec = NULL;
	size_t		 i, idx = 0;

	if (msg_head_parse(s, len, &h) == -1)
		return NULL;
	for (i = 0; i < h.n; i++) {
		if (!msg_field_is(s, &h.v[i], name))
			continue;
		raw = msg_field_value(s, &h.v[i]);
		if (mailmime_encoded_phrase_parse("utf-8", raw, strlen(raw),
		    &idx, "utf-8", &dec) == MAILIMF_NO_ERROR && dec != NULL) {
			out = text_sanitize(dec);
			free(dec);
		} else
			out = text_sanitize(raw);
		free(raw);
		break;
	}
	free(h.v);
	return out;
}

/* Is a part of this content type text (text/plain when plain is set)? */
static int
msg_is_text(struct mailmime_content *ct, int plain)
{
	struct mailmime_type	*t;

	if (ct == NULL)		/* RFC 2045 5.2: text/plain by default */
		return 1;
	t = ct->ct_type;
	if (t == NULL || t->tp_type != MAILMIME_TYPE_DISCRETE_TYPE ||
	    t->tp_data.tp_discrete_type == NULL ||
	    t->tp_data.tp_discrete_type->dt_type != MAILMIME_DISCRETE_TYPE_TEXT)
		return 0;
	return !plain || (ct->ct_subtype != NULL &&
	    strcasecmp(ct->ct_subtype, "plain") == 0);
}

/* The first text part (text/plain when plain is set), depth first. */
static struct mailmime *
msg_find_text(struct mailmime *mm, int plain)
{
	struct mailmime	*found;
	clistiter	*it;

	switch (mm->mm_type) {
	case MAILMIME_SINGLE:
		if (mm->mm_data.mm_single != NULL &&
		    msg_is_text(mm->mm_content_type, plain))
			return mm;
		break;
	case MAILMIME_MULTIPLE:
		if (mm->mm_data.mm_multipart.mm_mp_list == NULL)
			break;
		for (it = clist_begin(mm->mm_data.mm_multipart.mm_mp_list);
		    it != NULL; it = clist_next(it))
			if ((found = msg_find_text(clist_content(it), plain)) !=
			    NULL)
				return found;
		break;
	case MAILMIME_MESSAGE:
		if (mm->mm_data.mm_message.mm_msg_mime != NULL)
			return msg_find_text(mm->mm_data.mm_message.mm_msg_mime,
			    plain);
		break;
	}
	return NULL;
}

/* Is text in this charset already UTF-8 (US-ASCII is a subset)? */
static int
msg_is_utf8_charset(const char *cs)
{
	return cs == NULL || *cs == '\0' || strcasecmp(cs, "utf-8") == 0 ||
	    strcasecmp(cs, "utf8") == 0 || strcasecmp(cs, "us-ascii") == 0 ||
	    strcasecmp(cs, "ascii") == 0;
}

/* Append text with every CRLF and CR alone made LF. */
static void
msg_lf(struct buf *b, const char *s, size_t len)
{
	msg_eols(b, s, len, "\n");
}

/* The readable text of a message's body: decoded, UTF-8, sanitized. */
char *
msg_body_text(const char *text, size_t len, size_t *outlen)
{
	struct mailmime		*mime = NULL, *part;
	struct mailmime_data	*data;
	struct buf		 b = BUF_INIT;
	const char		*cs = NULL, *p;
	char			*dec = NULL, *conv = NULL, *out = NULL;
	size_t			 idx = 0, declen = 0, convlen = 0, plen;

	if (mailmime_parse(text, len, &idx, &mime) != MAILIMF_NO_ERROR)
		return NULL;
	/* Plain text first: in multipart/alternative it beats text/html. */
	if ((part = msg_find_text(mime, 1)) == NULL &&
	    (part = msg_find_text(mime, 0)) == NULL)
		goto fail;
	data = part->mm_data.mm_single;
	if (data->dt_type != MAILMIME_DATA_TEXT)
		goto fail;
	p = "";
	plen = 0;
	if (data->dt_data.dt_text.dt_length > 0) {
		idx = 0;
		if (mailmime_part_parse(data->dt_data.dt_text.dt_data,
		    data->dt_data.dt_text.dt_length, &idx, data->dt_encoding,
		    &dec, &declen) != MAILIMF_NO_ERROR)
			goto fail;
		p = dec;
		plen = declen;
	}
	if (part->mm_content_type != NULL)
		cs = mailmime_content_charset_get(part->mm_content_type);
	/* A charset iconv does not know: sanitizing makes it safe anyway. */
	if (plen > 0 && !msg_is_utf8_charset(cs) && charconv_buffer("utf-8",
	    cs, p, plen, &conv, &convlen) == MAIL_CHARCONV_NO_ERROR) {
		p = conv;
		plen = convlen;
	}
	buf_reserve(&b, plen + 1);
	buf_add(&b, "", 0);
	msg_lf(&b, p, plen);
	out = text_sanitize_n(b.s, b.len);
	if (outlen != NULL)
		*outlen = strlen(out);
fail:
	buf_free(&b);
	if (conv != NULL)
		charconv_buffer_free(conv);
	if (dec != NULL)
		mmap_string_unref(dec);
	mailmime_free(mime);
	return out;
}
