/* msg: to be written. */
