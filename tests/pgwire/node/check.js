// Drives the wire endpoint with node-postgres: simple and parameterised queries, a cursor
// read in chunks (portal suspension), an error and recovery. Prints one JSON line.
const { Client } = require("pg");
const Cursor = require("pg-cursor");

async function main() {
  const [port, password] = process.argv.slice(2);
  const client = new Client({
    host: "127.0.0.1", port: Number(port), user: "ann", password, database: "demo",
  });
  await client.connect();
  const out = {};
  out.simple = (await client.query("SELECT 1 AS one")).rows;
  out.params = (await client.query("SELECT id, name FROM items WHERE id = $1", [3])).rows;
  await client.query("BEGIN");
  const cursor = client.query(new Cursor("SELECT id FROM big WHERE id < 250"));
  let total = 0;
  for (;;) {
    const rows = await new Promise((resolve, reject) =>
      cursor.read(100, (error, rows) => (error ? reject(error) : resolve(rows))));
    if (rows.length === 0) break;
    total += rows.length;
  }
  await new Promise((resolve) => cursor.close(resolve));
  await client.query("COMMIT");
  out.cursor = total;
  try {
    await client.query("SELECT * FROM no_such_table");
  } catch (error) {
    out.error = error.code;
  }
  out.after = (await client.query("SELECT 2 AS two")).rows;
  await client.end();
  console.log(JSON.stringify(out));
}

main().catch((error) => { console.error(error); process.exit(1); });
