package io.pgintel.collect.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pgintel.collect.schema.SchemaCollector.Row;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How one reading compares with the previous: plain rows, no server. */
class SchemaChangesTest {

  private static final int MAX = SchemaCollector.MAX_RELATIONS;

  private static List<Row> tables(int from, int to) {
    List<Row> rows = new ArrayList<>();
    for (int oid = from; oid < to; oid++) {
      rows.add(new Row(oid, "r", "public.t" + oid, null, 7));
    }
    return rows;
  }

  private static List<Row> with(List<Row> rows, Row... more) {
    List<Row> out = new ArrayList<>(rows);
    out.addAll(List.of(more));
    return out;
  }

  @Test
  void beyondTheLimitARelationThatSlidesIntoTheWindowIsNotCreatedButOneDroppedWithinItIsDropped() {
    SchemaCollector c = new SchemaCollector();
    c.read("db", tables(1, MAX + 1), MAX + 10);
    // t1 dropped: the window moves on by one, taking in a table that was there all along
    List<Record> read = c.read("db", tables(2, MAX + 2), MAX + 9);
    assertEquals(List.of(new SchemaSummary("db", MAX + 9, 9, 0),
        new SchemaChange("db", "public.t1", "table", SchemaChange.DROPPED, null, null)), read);
  }

  @Test
  void aDatabaseGrowingPastTheLimitStillTellsWhatWasCreatedWithinTheWindow() {
    SchemaCollector c = new SchemaCollector();
    c.read("db", tables(1, MAX - 1), MAX - 2);
    List<Record> read = c.read("db", tables(1, MAX + 1), MAX + 5);
    assertEquals(3, read.size(), "two created within the window: " + read.get(0));
  }

  @Test
  void anIndexRebuiltUnderANewOidWithItsNameAndTableIsTheSameIndexAlteredOnlyIfItsDefinitionChanged() {
    SchemaCollector c = new SchemaCollector();
    c.read("db", with(tables(1, 3), new Row(10, "i", "a_idx", "public.t1", 5), new Row(11, "i", "b_idx",
        "public.t1", 6)), 4);
    // REINDEX CONCURRENTLY of a_idx; b_idx re-created on a retyped column with another operator class
    List<Record> read = c.read("db", with(tables(1, 3), new Row(20, "i", "a_idx", "public.t1", 5),
        new Row(21, "i", "b_idx", "public.t1", 9)), 4);
    assertEquals(List.of(new SchemaSummary("db", 4, 0, 0),
        new SchemaChange("db", "b_idx", "index", SchemaChange.ALTERED, null, "public.t1")), read);
  }

  @Test
  void theIndexesOfATableCreatedOrDroppedGoWithItUnsaidAndDropsComeFirst() {
    SchemaCollector c = new SchemaCollector();
    c.read("db", with(tables(1, 3), new Row(10, "i", "t1_idx", "public.t1", 5)), 3);
    List<Record> read = c.read("db", with(tables(2, 4), new Row(11, "i", "t3_idx", "public.t3", 5)), 3);
    assertEquals(List.of(new SchemaSummary("db", 3, 0, 0),
        new SchemaChange("db", "public.t1", "table", SchemaChange.DROPPED, null, null),
        new SchemaChange("db", "public.t3", "table", SchemaChange.CREATED, null, null)), read);
  }

  @Test
  void changesBeyondTheOnesToldOneByOneAreCounted() {
    SchemaCollector c = new SchemaCollector();
    c.read("db", tables(1, 2), 1);
    List<Record> read = c.read("db", tables(1, SchemaCollector.MAX_CHANGES + 12), SchemaCollector.MAX_CHANGES + 11);
    assertEquals(new SchemaSummary("db", SchemaCollector.MAX_CHANGES + 11, 0, 10), read.get(0));
    assertEquals(SchemaCollector.MAX_CHANGES + 1, read.size());
  }

  @Test
  void mostOfTheRelationsGoneAtOnceIsAnotherSchemaCountedNotTold() {
    SchemaCollector c = new SchemaCollector();
    c.read("db", tables(1, 41), 40);
    List<Record> read = c.read("db", tables(100, 140), 40);
    assertEquals(List.of(new SchemaSummary("db", 40, 0, 80)), read);
  }
  @Test
  void aTableThatBecomesAPartitionIsAttachedAndOneThatStopsBeingOneDetachedTheirIndexesUnsaid() {
    SchemaCollector c = new SchemaCollector();
    c.read("db", List.of(new Row(1, "p", "public.p", null, 1), new Row(2, "r", "public.a", null, 1),
        new Row(3, "i", "a_idx", "public.a", 1), Row.partition(4, "public.p")), 3);
    // a attached with its index (the index now a partition's, left out); 4 detached as public.b, with an index
    List<Record> read = c.read("db", List.of(new Row(1, "p", "public.p", null, 1), Row.partition(2, "public.p"),
        new Row(4, "r", "public.b", null, 1), new Row(5, "i", "b_idx", "public.b", 1)), 3);
    assertEquals(List.of(new SchemaSummary("db", 3, 0, 0),
        new SchemaChange("db", "public.a", "table", SchemaChange.ATTACHED, null, null, "public.p"),
        new SchemaChange("db", "public.b", "table", SchemaChange.DETACHED, null, null, "public.p")), read,
        "partitions count neither as relations nor as unwatched ones");
  }

  @Test
  void aPartitionDroppedOrCreatedIsRoutineAndATableAttachedIsNotAnotherSchema() {
    SchemaCollector c = new SchemaCollector();
    List<Row> first = with(tables(1, 31), Row.partition(100, "public.t1"));
    c.read("db", first, 30);
    List<Row> attached = new ArrayList<>(tables(1, 2));
    for (int oid = 2; oid < 31; oid++) {
      attached.add(Row.partition(oid, "public.t1"));
    }
    attached.add(Row.partition(101, "public.t1"));
    List<Record> read = c.read("db", attached, 1);
    assertEquals(new SchemaSummary("db", 1, 0, 0), read.get(0));
    assertEquals(29, read.size() - 1, "each attach told: " + read.get(1));
  }
}
