/* smtp-session: to be written. */
