/* policy: to be written. */
