"""Values on the wire: Arrow columns encoded as PostgreSQL text and binary (`text`,
`binary`), whole batches as DataRow and COPY data, and Bind values decoded (`parameters`)."""
