/* addr: to be written. */
