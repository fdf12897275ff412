package io.pgintel.collect.custom;

import java.util.Map;

/**
 * One row of a custom query: its value columns (null where the row had NULL) and, as text, every other column.
 *
 * @param query the query's name
 */
public record CustomRow(String query, String database, Map<String, String> attributes, Map<String, Double> values) {

  public CustomRow {
    attributes = Map.copyOf(attributes);
  }
}
