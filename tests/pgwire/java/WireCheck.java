import java.sql.*;

/** Drives the wire endpoint like Tableau/DBeaver do through pgjdbc; prints one line per check. */
public class WireCheck {
    public static void main(String[] args) throws Exception {
        String url = args[0];
        try (Connection c = DriverManager.getConnection(url, args[1], args[2])) {
            DatabaseMetaData meta = c.getMetaData();
            System.out.println("product " + meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion());
            try (ResultSet rs = meta.getCatalogs()) { while (rs.next()) System.out.println("catalog " + rs.getString(1)); }
            try (ResultSet rs = meta.getSchemas()) { while (rs.next()) System.out.println("schema " + rs.getString("TABLE_SCHEM")); }
            try (ResultSet rs = meta.getTables(null, null, "%", new String[] {"TABLE", "VIEW"})) {
                while (rs.next()) System.out.println("table " + rs.getString("TABLE_SCHEM") + "." + rs.getString("TABLE_NAME") + " " + rs.getString("TABLE_TYPE"));
            }
            try (ResultSet rs = meta.getColumns(null, null, "items", "%")) {
                while (rs.next()) System.out.println("column " + rs.getString("COLUMN_NAME") + " " + rs.getInt("DATA_TYPE") + " " + rs.getString("TYPE_NAME"));
            }
            for (String table : new String[] {"items", "stock"}) {
                try (ResultSet rs = meta.getPrimaryKeys(null, null, table)) {
                    while (rs.next()) System.out.println("pk " + rs.getString("TABLE_NAME") + " " + rs.getString("COLUMN_NAME") + " " + rs.getShort("KEY_SEQ") + " " + rs.getString("PK_NAME"));
                }
            }
            try (ResultSet rs = meta.getImportedKeys(null, null, "stock")) {
                while (rs.next()) System.out.println("imported " + rs.getString("FKCOLUMN_NAME") + " " + rs.getString("PKTABLE_NAME") + "." + rs.getString("PKCOLUMN_NAME") + " " + rs.getString("FK_NAME") + " " + rs.getString("PK_NAME"));
            }
            try (ResultSet rs = meta.getExportedKeys(null, null, "items")) {
                while (rs.next()) System.out.println("exported " + rs.getString("FKTABLE_NAME") + "." + rs.getString("FKCOLUMN_NAME") + " " + rs.getString("FK_NAME"));
            }
            try (ResultSet rs = meta.getIndexInfo(null, null, "suppliers", true, false)) {
                while (rs.next()) System.out.println("index " + rs.getString("INDEX_NAME") + " " + rs.getString("COLUMN_NAME") + " unique " + !rs.getBoolean("NON_UNIQUE"));
            }
            int types = 0;
            try (ResultSet rs = meta.getTypeInfo()) { while (rs.next()) types++; }
            System.out.println("typeinfo " + (types > 10));
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name, price, created, seen, ratio FROM items WHERE id = ?")) {
                for (int i = 1; i <= 7; i++) {
                    ps.setInt(1, i);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        System.out.println("row " + rs.getInt(1) + " " + rs.getString(2) + " " + rs.getBigDecimal(3) + " " + rs.getDate(4) + " " + rs.getTimestamp(5) + " " + rs.getDouble(6));
                    }
                }
            }
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.setFetchSize(1000);
                long count = 0;
                try (ResultSet rs = st.executeQuery("SELECT id, label FROM big WHERE id < 25000")) { while (rs.next()) count++; }
                System.out.println("fetched " + count);
            }
            c.commit();
            try (Statement st = c.createStatement()) {
                st.execute("SELECT * FROM no_such_table");
            } catch (SQLException e) {
                System.out.println("error " + e.getSQLState());
                c.rollback();
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 42 AS answer")) {
                rs.next();
                System.out.println("after " + rs.getInt("answer"));
            }
        }
    }
}
