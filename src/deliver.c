/* deliver: to be written. */
