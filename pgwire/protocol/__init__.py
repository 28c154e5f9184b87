"""Protocol v3 itself, without I/O: frontend messages parsed (`codec`), backend messages
encoded (`messages`), and the endpoint's errors keyed by SQLSTATE (`errors`)."""
