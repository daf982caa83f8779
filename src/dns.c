/* dns: to be written. */
