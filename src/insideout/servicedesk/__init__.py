"""The service desk: requests, service standards and the clocks that measure them."""
