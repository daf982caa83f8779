/*
 * ui-contacts: the contacts: list (paged through the store) and search,
 * add, edit, delete, and one key that cycles a contact's policy through
 * default, may, encrypt and verify, with the state in words on screen.
 */
#ifndef TERN_UI_CONTACTS_H
#define TERN_UI_CONTACTS_H

struct ui;
struct ui_keymap;
struct ui_screen;

struct ui_screen	*ui_contacts_new(struct ui *);
/* Its own keys (the moving keys are ui_listw_keymap). */
extern const struct ui_keymap ui_contacts_keymap;

#endif
