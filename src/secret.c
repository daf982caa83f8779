/* secret: to be written. */
