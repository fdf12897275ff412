package io.pgintel.process;

import io.pgintel.collect.plans.ExplainedPlan;
import io.pgintel.collect.plans.PlanSkipped;
import io.pgintel.internal.Json;
import io.pgintel.sql.SqlEngine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The last stage of the chain: reads the JSON plans of the {@code plans} collector ({@link ExplainedPlan}) into
 * {@link QueryPlan} attributes, and adds a {@link PlanChange} when a statement's plan hash is not the one it had
 * at its previous explain.
 *
 * <p>Literals: a generic plan of a pg_stat_statements text has {@code $n} where the statement had constants, but
 * conditions that come from elsewhere keep theirs (a view's {@code WHERE status = 'secret'}, a partial index's
 * predicate, a constraint). Every string of the plan except the names of its parts (node type, relation, alias,
 * index, CTE, function, join type, strategy, ...) is therefore read by the SQL engine and replaced by its
 * obfuscated text, lists of keys and outputs included: default-deny, so a key a future server version adds is
 * obfuscated too.
 *
 * <p>The hash is over the plan's shape, so that it changes when the plan does and only then: per node, in order,
 * its type, parent relationship, join type, strategy, operation, relation, index, CTE, function and subplan names,
 * and its sort and group keys (obfuscated), then its children. Costs, row estimates, widths, conditions and
 * literals are left out.
 *
 * <p>State: the last hash and cost per (database, fingerprint), at most {@link #DEFAULT_MAX_STATEMENTS}, least
 * recently explained forgotten first. A plan that cannot be read is dropped and counted
 * ({@code unreadable_plan}); the reasons for plans not explained are counted as {@code skipped:<reason>}.
 */
public final class PlanProcessor implements Processor {

  public static final String NAME = "plans";
  /** Longest obfuscated plan JSON kept in a {@link QueryPlan}; a longer one is left out (a cut JSON is unusable). */
  public static final int MAX_JSON_CHARS = 16 * 1024;
  static final int DEFAULT_MAX_STATEMENTS = 10_000;

  /** Keys whose string values are names of the plan's parts, not expressions: kept as the server wrote them. */
  private static final Set<String> NAMES = Set.of("Node Type", "Parent Relationship", "Join Type", "Strategy",
      "Partial Mode", "Operation", "Relation Name", "Schema", "Alias", "Index Name", "CTE Name", "Subplan Name",
      "Function Name", "Scan Direction", "Command", "Sort Method", "Sort Space Type", "Cache Mode");
  /** Keys of the shape, hashed in this order. */
  private static final List<String> SHAPE = List.of("Node Type", "Parent Relationship", "Join Type", "Strategy",
      "Partial Mode", "Operation", "Relation Name", "Index Name", "CTE Name", "Function Name", "Subplan Name",
      "Scan Direction", "Sort Key", "Group Key", "Presorted Key");
  private static final Set<String> JOINS = Set.of("Nested Loop", "Hash Join", "Merge Join");
  private static final Set<String> INDEX_SCANS = Set.of("Index Scan", "Index Only Scan", "Bitmap Index Scan");

  private record Last(String hash, double cost) {}

  private final int maxStatements;
  private final Map<String, Last> last;

  public PlanProcessor() {
    this(DEFAULT_MAX_STATEMENTS);
  }

  PlanProcessor(int maxStatements) {
    this.maxStatements = maxStatements;
    this.last = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Last> eldest) {
        return size() > PlanProcessor.this.maxStatements;
      }
    };
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<? extends Record> process(Batch batch) {
    List<Record> out = new ArrayList<>(batch.records().size() + 1);
    for (Record r : batch.records()) {
      if (r instanceof ExplainedPlan e) {
        QueryPlan plan;
        try {
          plan = read(e);
        } catch (RuntimeException ex) {
          batch.count("unreadable_plan", 1);
          continue;
        }
        batch.count("explained", 1);
        out.add(plan);
        PlanChange change = remember(plan);
        if (change != null) {
          batch.count("plan_changed", 1);
          out.add(change);
        }
      } else {
        if (r instanceof PlanSkipped s) {
          batch.count("skipped:" + s.reason(), 1);
        }
        out.add(r);
      }
    }
    return out;
  }

  /** How many statements' last plans are remembered now. */
  int remembered() {
    return last.size();
  }

  private PlanChange remember(QueryPlan plan) {
    String key = plan.database() + '\u0000' + plan.query().fingerprintBits();
    Last before = last.put(key, new Last(plan.hash(), plan.totalCost()));
    if (before == null || before.hash().equals(plan.hash())) {
      return null;
    }
    return new PlanChange(plan.database(), plan.queryid(), plan.query(), before.hash(), plan.hash(), before.cost(),
        plan.totalCost(), plan.callSites());
  }

  /** Reads one plan. Throws on JSON that is not an EXPLAIN (FORMAT JSON) result. */
  static QueryPlan read(ExplainedPlan e) {
    Object parsed = Json.parse(e.json());
    Map<?, ?> top = (Map<?, ?>) (parsed instanceof List<?> list ? list.get(0) : parsed);
    Map<?, ?> root = (Map<?, ?>) top.get("Plan");
    if (root == null) {
      throw new IllegalArgumentException("no Plan in the EXPLAIN result");
    }
    Walk w = new Walk();
    w.node(root, 1);
    String json = Json.write(obfuscate(parsed));
    double cost = number(root.get("Total Cost"));
    return new QueryPlan(e.database(), e.queryid(), e.query(), e.method(), hash(w.shape.toString()),
        cost, number(root.get("Plan Rows")), new TreeMap<>(w.nodeTypes),
        List.copyOf(w.seqScans), List.copyOf(w.indexScans), w.count("Nested Loop"),
        w.count("Sort") + w.count("Incremental Sort"), w.hashes,
        top.containsKey("JIT") || e.jitAboveCost() >= 0 && cost > e.jitAboveCost(),
        w.nodes + w.joins + w.subplans + w.depth, json.length() <= MAX_JSON_CHARS ? json : null, e.callSites());
  }

  /** One pass over the tree, collecting the attributes and the shape. */
  private static final class Walk {
    final StringBuilder shape = new StringBuilder();
    final Map<String, Integer> nodeTypes = new LinkedHashMap<>();
    final Set<String> seqScans = new LinkedHashSet<>();
    final Set<String> indexScans = new LinkedHashSet<>();
    int nodes;
    int joins;
    int subplans;
    int hashes;
    int depth;

    void node(Map<?, ?> n, int level) {
      depth = Math.max(depth, level);
      nodes++;
      String type = String.valueOf(n.get("Node Type"));
      nodeTypes.merge(type, 1, Integer::sum);
      if (JOINS.contains(type)) {
        joins++;
      }
      Object parent = n.get("Parent Relationship");
      if ("SubPlan".equals(parent) || "InitPlan".equals(parent)) {
        subplans++;
      }
      if (type.equals("Hash") || "Hashed".equals(n.get("Strategy"))) {
        hashes++;
      }
      if (type.equals("Seq Scan") && n.get("Relation Name") != null) {
        seqScans.add(qualified(n));
      }
      if (INDEX_SCANS.contains(type) && n.get("Index Name") != null) {
        indexScans.add(String.valueOf(n.get("Index Name")));
      }
      shape.append('(');
      for (String key : SHAPE) {
        Object v = n.get(key);
        if (v != null) {
          shape.append(key).append('=').append(key.endsWith("Key") ? obfuscate(v) : v).append(';');
        }
      }
      if (n.get("Plans") instanceof List<?> children) {
        for (Object child : children) {
          node((Map<?, ?>) child, level + 1);
        }
      }
      shape.append(')');
    }

    int count(String type) {
      return nodeTypes.getOrDefault(type, 0);
    }

    private static String qualified(Map<?, ?> n) {
      Object schema = n.get("Schema");
      return (schema == null ? "" : schema + ".") + n.get("Relation Name");
    }
  }

  /** A copy of a JSON value with every string that is not a name replaced by its obfuscated text. */
  private static Object obfuscate(Object v) {
    if (v instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, value) -> out.put(String.valueOf(k),
          NAMES.contains(String.valueOf(k)) && value instanceof String ? value : obfuscate(value)));
      return out;
    }
    if (v instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object item : list) {
        out.add(obfuscate(item));
      }
      return out;
    }
    if (v instanceof String s) {
      return SqlEngine.analyzeUncached(s, false).text();
    }
    return v;
  }

  private static double number(Object v) {
    return v instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  private static String hash(String shape) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(shape.getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder(16);
      for (int i = 0; i < 8; i++) {
        sb.append(Character.forDigit((d[i] >> 4) & 0xf, 16)).append(Character.forDigit(d[i] & 0xf, 16));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
