/*
 * ui-view: one message: its headers and body, then its transport: one
 * block per recipient with the outcome in words, the reason, the server
 * (host, address, port), TLS version and cipher, the certificate
 * (subject, issuer, SHA-256 fingerprint, expiry, verification), the last
 * server reply, and every earlier attempt.
 */
#ifndef TERN_UI_VIEW_H
#define TERN_UI_VIEW_H

struct ui;
struct ui_keymap;
struct ui_screen;

/* View message id; transport: open at the transport section. */
struct ui_screen	*ui_view_new(struct ui *, long long, int);
extern const struct ui_keymap ui_view_keymap;

#endif
