"""Who a request acts for and what it may reach: the permission reads every interface calls
(`access`), personal access tokens, and the SCRAM secrets of wire logins."""
