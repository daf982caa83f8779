/* record: to be written. */
