/* tls: to be written. */
