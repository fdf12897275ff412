package io.pgintel.collect;

/** The {@code postgresql.relation.kind} names of {@code pg_class.relkind}: one list for every collector. */
public final class RelationKind {

  private RelationKind() {}

  /** {@code table}, {@code partitioned table}, {@code index}, ... for a relkind; {@code other} for the rest. */
  public static String of(String relkind) {
    return switch (relkind) {
      case "r" -> "table";
      case "p" -> "partitioned table";
      case "m" -> "materialized view";
      case "f" -> "foreign table";
      case "i", "I" -> "index";
      case "t" -> "toast table";
      case "S" -> "sequence";
      default -> "other";
    };
  }
}
