/* cli: to be written. */
