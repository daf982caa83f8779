/* Reading a message for display: a header field, the text body. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "attach.h"
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

/* RFC 2231's charset''%XX value as UTF-8 text; a new string or NULL. */
static char *
msg_ext_value(const char *v)
{
	const char	*q;
	char		*o, *w;
	unsigned int	 c;

	if ((q = strchr(v, '\'')) == NULL || (q = strchr(q + 1, '\'')) ==
	    NULL)
		return NULL;
	w = o = xmalloc(strlen(q) + 1);
	for (q++; *q != '\0'; q++) {
		if (*q == '%' && sscanf(q + 1, "%2x", &c) == 1 &&
		    isxdigit((unsigned char)q[1]) &&
		    isxdigit((unsigned char)q[2])) {
			*w++ = (char)c;
			q += 2;
		} else
			*w++ = *q;
	}
	*w = '\0';
	return o;
}

/* A part's file name: filename* (RFC 2231), filename, or name=. */
static char *
msg_part_name(struct mailmime *mm)
{
	struct mailmime_single_fields	 sf;
	struct mailmime_disposition_parm *dp;
	clistiter			*it;
	char				*raw = NULL, *out;

	mailmime_single_fields_init(&sf, mm->mm_mime_fields,
	    mm->mm_content_type);
	if (sf.fld_disposition != NULL)
		for (it = clist_begin(sf.fld_disposition->dsp_parms);
		    it != NULL && raw == NULL; it = clist_next(it)) {
			dp = clist_content(it);
			if (dp->pa_type == MAILMIME_DISPOSITION_PARM_PARAMETER &&
			    strcasecmp(dp->pa_data.pa_parameter->pa_name,
			    "filename*") == 0)
				raw = msg_ext_value(
				    dp->pa_data.pa_parameter->pa_value);
		}
	if (raw == NULL && sf.fld_disposition_filename != NULL)
		raw = xstrdup(sf.fld_disposition_filename);
	if (raw == NULL && sf.fld_content_name != NULL)
		raw = xstrdup(sf.fld_content_name);
	if (raw == NULL)
		return NULL;
	out = text_sanitize_line(raw, strlen(raw));
	free(raw);
	return out;
}

/* Collect the parts other than the body text, depth first. */
static void
msg_collect(struct mailmime *mm, struct mailmime *body,
    struct attach_list *l)
{
	struct mailmime_data	*data;
	struct attach		*a;
	clistiter		*it;
	char			*dec = NULL, *name, *type;
	size_t			 idx = 0, declen = 0;

	switch (mm->mm_type) {
	case MAILMIME_SINGLE:
		if (mm == body || (data = mm->mm_data.mm_single) == NULL ||
		    data->dt_type != MAILMIME_DATA_TEXT)
			return;
		if ((name = msg_part_name(mm)) == NULL &&
		    msg_is_text(mm->mm_content_type, 0))
			return;		/* an alternative text, not a file */
		if (mailmime_part_parse(data->dt_data.dt_text.dt_data,
		    data->dt_data.dt_text.dt_length, &idx, data->dt_encoding,
		    &dec, &declen) != MAILIMF_NO_ERROR) {
			free(name);
			return;
		}
		type = NULL;
		if (mm->mm_content_type != NULL) {
			MMAPString	*ms = mmap_string_new("");
			int		 col = 0;

			if (ms != NULL && mailmime_content_type_write_mem(ms,
			    &col, mm->mm_content_type) == MAILIMF_NO_ERROR)
				type = text_sanitize_line(ms->str, ms->len);
			if (ms != NULL)
				mmap_string_free(ms);
		}
		l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
		a = &l->v[l->n++];
		a->path = NULL;
		a->name = name != NULL ? name : xstrdup("(no name)");
		a->type = type != NULL ? type :
		    xstrdup("application/octet-stream");
		a->data = xmalloc(declen + 1);
		memcpy(a->data, dec, declen);
		a->data[declen] = '\0';
		a->len = declen;
		mmap_string_unref(dec);
		break;
	case MAILMIME_MULTIPLE:
		if (mm->mm_data.mm_multipart.mm_mp_list != NULL)
			for (it = clist_begin(
			    mm->mm_data.mm_multipart.mm_mp_list); it != NULL;
			    it = clist_next(it))
				msg_collect(clist_content(it), body, l);
		break;
	case MAILMIME_MESSAGE:
		if (mm->mm_data.mm_message.mm_msg_mime != NULL)
			msg_collect(mm->mm_data.mm_message.mm_msg_mime, body,
			    l);
		break;
	}
}

/* The attached files of a message. */
size_t
msg_attachments(const char *text, size_t len, struct attach_list *l)
{
	struct mailmime	*mime = NULL, *body;
	size_t		 idx = 0;

	if (mailmime_parse(text, len, &idx, &mime) != MAILIMF_NO_ERROR)
		return l->n;
	if ((body = msg_find_text(mime, 1)) == NULL)
		body = msg_find_text(mime, 0);
	msg_collect(mime, body, l);
	mailmime_free(mime);
	return l->n;
}
