package io.pgintel.collect.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgintel.collect.schema.SchemaCollector.Row;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How one reading compares with the previous: plain rows, no server. */
class SchemaChangesTest {

  private static List<Row> tables(int from, int to) {
    List<Row> rows = new ArrayList<>();
    for (int oid = from; oid < to; oid++) {
      rows.add(new Row(oid, "r", "public.t" + oid, null, "sig"));
    }
    return rows;
  }

  @Test
  void beyondTheLimitARelationThatSlidesIntoTheWindowIsNotCreatedButOneDroppedWithinItIsDropped() {
    int max = SchemaCollector.MAX_RELATIONS;
    SchemaCollector c = new SchemaCollector();
    c.read("db", tables(1, max + 1), max + 10);
    // t1 dropped: the window moves on by one, taking in a table that was there all along
    List<Record> read = c.read("db", tables(2, max + 2), max + 9);
    assertEquals(List.of(new SchemaSummary("db", max + 9, 9, 0),
        new SchemaChange("db", "public.t1", "table", SchemaChange.DROPPED, null, null)), read);
  }

  @Test
  void changesBeyondTheOnesToldOneByOneAreCounted() {
    SchemaCollector c = new SchemaCollector();
    c.read("db", tables(1, 2), 1);
    List<Record> read = c.read("db", tables(1, SchemaCollector.MAX_CHANGES + 12), SchemaCollector.MAX_CHANGES + 11);
    assertEquals(new SchemaSummary("db", SchemaCollector.MAX_CHANGES + 11, 0, 10), read.get(0));
    assertEquals(SchemaCollector.MAX_CHANGES + 1, read.size());
  }
}
