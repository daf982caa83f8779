/* event: to be written. */
