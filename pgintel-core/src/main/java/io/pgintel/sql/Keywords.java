package io.pgintel.sql;

/**
 * The words the engine needs to recognise, looked up without allocating.
 *
 * <p>Only words that change how text is read or displayed are here; everything else is an
 * identifier. Lookup folds ASCII case on the fly against an open-addressing table, so a word in
 * the input is never copied. Words and identifiers hash alike (both lower case) in the
 * fingerprint, so the display flag only changes how text looks, never which statements match.
 */
final class Keywords {

  /** Shown upper case in normalized text. */
  static final int DISPLAY = 1;
  /** PostgreSQL reserved or type/function-name keyword: a quoted name spelled like it stays quoted. */
  static final int RESERVED = 1 << 1;
  /** A minus right after this word is a sign, not a subtraction. */
  static final int OPERAND = 1 << 2;
  /** Written like a function call: no space before its parenthesis. */
  static final int FUNC = 1 << 3;
  /** A type name whose parenthesised integers are a type modifier, not constants. */
  static final int TYPMOD = 1 << 4;
  /** A type name that can prefix a string to form one typed literal ({@code date '...'}). */
  static final int TYPELIT = 1 << 5;

  /** Summary: a word after which table names may follow (FROM, JOIN, ...), or WITH. */
  static final int TABLE_CLAUSE = 1 << 6;
  /**
   * A Unicode normal form ({@code NFC}, ...), which PostgreSQL's grammar makes a string constant in
   * {@code normalize(x, NFC)} and {@code x IS NFC NORMALIZED}.
   */
  static final int NORMAL_FORM = 1 << 7;

  private static final int TABLE_BITS = 11;
  private static final int MASK = (1 << TABLE_BITS) - 1;
  private static final int MAX_LEN = 24;

  private static final String[] WORDS = new String[512];
  private static final char[][] CHARS = new char[512][];
  private static final String[] UPPER = new String[512];
  private static final int[] FLAGS = new int[512];
  private static final long[] HASHES = new long[512];
  /** Odd, with bits spread over the whole word, so that each character reaches the high bits. */
  private static final long WORD_PRIME = 0x9E3779B97F4A7C15L;
  /** ASCII folded to lower case, as bytes: {@link #hash} packs them. */
  static final byte[] LOWER = new byte[128];
  /** The packed characters ({@link #hash}) of each keyword of at most eight. */
  private static final long[] PACKED = new long[512];
  private static final short[] SLOTS = new short[1 << TABLE_BITS];
  private static int count;

  private static final int D = DISPLAY;
  private static final int R = DISPLAY | RESERVED | OPERAND;
  private static final int DISPLAY_OPERAND = DISPLAY | OPERAND;

  static {
    for (char c = 0; c < 128; c++) {
      LOWER[c] = (byte) lower(c);
    }
    java.util.Arrays.fill(SLOTS, (short) -1);
    String[] reserved = {"all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
      "both", "case", "cast", "check", "collate", "column", "constraint", "create", "current_catalog",
      "current_date", "current_role", "current_time", "current_timestamp", "current_user", "default",
      "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for",
      "foreign", "from", "grant", "group", "having", "in", "initially", "intersect", "into",
      "lateral", "leading", "limit", "localtime", "localtimestamp", "not", "null", "offset", "on",
      "only", "or", "order", "placing", "primary", "references", "returning", "select",
      "session_user", "some", "symmetric", "system_user", "table", "then", "to", "trailing", "true",
      "union", "unique", "user", "using", "variadic", "when", "where", "window", "with",
      // type_func_name keywords: cannot be table or column names either
      "authorization", "binary", "collation", "concurrently", "cross", "current_schema", "freeze",
      "full", "ilike", "inner", "is", "isnull", "join", "left", "like", "natural", "notnull",
      "outer", "overlaps", "right", "similar", "tablesample", "verbose"};
    for (String w : reserved) {
      add(w, R);
    }
    String[] display = {"insert", "update", "delete", "merge", "set", "reset", "by", "nulls", "first",
      "last", "exists", "over", "partition", "rows", "range", "conflict", "nothing", "matched",
      "copy", "begin", "commit", "rollback", "savepoint", "release", "start", "transaction", "show",
      "explain", "vacuum", "truncate", "lock", "listen", "notify", "unlisten", "call", "prepare",
      "execute", "deallocate", "discard", "declare", "close", "move", "refresh", "materialized",
      "view", "index", "function", "procedure", "trigger", "sequence", "schema", "role", "database",
      "extension", "alter", "drop", "add", "if", "replace", "temp", "temporary", "unlogged",
      "recursive", "escape", "password", "encrypted", "connection", "subscription", "publication",
      "comment", "stdin", "stdout", "program", "local", "session", "zone", "isolation", "level",
      "read", "write", "committed", "serializable", "share", "nowait", "skip", "locked", "of",
      "cascade", "restrict", "no", "overriding", "returns", "language", "immutable", "stable",
      "volatile", "strict", "security", "definer", "invoker", "owner", "rename", "abort",
      "checkpoint", "cluster", "reindex", "import", "include", "ties", "filter", "within",
      "ordinality", "preceding", "following", "unbounded", "current", "respect", "ignore",
      "names", "characteristics", "constraints", "deferred", "immediate", "uescape", "valid",
      "until", "login", "nologin", "superuser", "nosuperuser", "inherit", "options", "server",
      "wrapper", "foreign", "policy", "rule", "operator", "domain", "aggregate", "cursor", "hold",
      "without", "absolute", "relative", "forward", "backward", "next", "prior", "tablespace",
      "generated", "always", "identity", "stored", "attach", "detach", "enable", "disable",
      "owned", "increment", "minvalue", "maxvalue", "cycle", "cache", "statistics", "force",
      "quote", "delimiter", "header", "format", "csv", "revoke", "mode", "exclusive", "restart",
      "raise", "perform", "returns", "setof", "access"};
    for (String w : display) {
      add(w, D);
    }
    add("between", DISPLAY_OPERAND);
    add("time", D);
    add("values", DISPLAY_OPERAND);
    add("row", DISPLAY_OPERAND);
    add("key", 0);
    for (String w : new String[] {"extract", "substring", "trim", "overlay", "position", "coalesce",
      "nullif", "greatest", "least", "xmlelement", "treat", "normalize"}) {
      add(w, DISPLAY | FUNC | OPERAND);
    }
    for (String w : new String[] {"nfc", "nfd", "nfkc", "nfkd"}) {
      add(w, NORMAL_FORM);
    }
    addFlags("cast", FUNC);
    addFlags("any", FUNC);
    addFlags("some", FUNC);
    for (String w : new String[] {"from", "join", "into", "update", "using", "table", "truncate", "lock",
      "vacuum", "analyze", "copy", "on", "view", "with"}) {
      addFlags(w, TABLE_CLAUSE);
    }
    for (String w : new String[] {"varchar", "char", "character", "varying", "numeric", "decimal", "dec",
      "bit", "varbit", "float", "time", "timestamp", "timestamptz", "timetz", "interval"}) {
      addFlags(w, TYPMOD);
    }
    for (String w : new String[] {"date", "time", "timestamp", "timestamptz", "timetz", "interval",
      "json", "jsonb", "uuid", "inet", "cidr", "macaddr", "numeric", "decimal", "bool", "boolean",
      "bytea", "int", "int2", "int4", "int8", "integer", "bigint", "smallint", "text", "varchar",
      "char", "float4", "float8", "real", "money", "point", "xml", "tsquery", "tsvector", "bit",
      "varbit", "oid", "regclass", "name"}) {
      addFlags(w, TYPELIT);
    }
  }

  static final int SELECT = id("select");
  static final int INSERT = id("insert");
  static final int UPDATE = id("update");
  static final int DELETE = id("delete");
  static final int MERGE = id("merge");
  static final int WITH = id("with");
  static final int RECURSIVE = id("recursive");
  static final int FROM = id("from");
  static final int JOIN = id("join");
  static final int INTO = id("into");
  static final int USING = id("using");
  static final int TABLE = id("table");
  static final int ONLY = id("only");
  static final int LATERAL = id("lateral");
  static final int AS = id("as");
  static final int IN = id("in");
  static final int ARRAY = id("array");
  static final int VALUES = id("values");
  static final int IS = id("is");
  static final int NOT = id("not");
  static final int NULL = id("null");
  static final int TRUE = id("true");
  static final int FALSE = id("false");
  static final int ORDER = id("order");
  static final int GROUP = id("group");
  static final int BY = id("by");
  static final int ASC = id("asc");
  static final int DESC = id("desc");
  static final int NULLS = id("nulls");
  static final int LIMIT = id("limit");
  static final int ALL = id("all");
  static final int SAVEPOINT = id("savepoint");
  static final int RELEASE = id("release");
  static final int ROLLBACK = id("rollback");
  static final int DEALLOCATE = id("deallocate");
  static final int PREPARE = id("prepare");
  static final int NORMALIZE = id("normalize");
  static final int OFFSET = id("offset");
  static final int FETCH = id("fetch");
  static final int FOR = id("for");
  static final int HAVING = id("having");
  static final int WINDOW = id("window");
  static final int UNION = id("union");
  static final int INTERSECT = id("intersect");
  static final int EXCEPT = id("except");
  static final int RETURNING = id("returning");
  static final int SET = id("set");
  static final int TO = id("to");
  static final int SESSION = id("session");
  static final int LOCAL = id("local");
  static final int ROLE = id("role");
  static final int NAMES = id("names");
  static final int SCHEMA = id("schema");
  static final int TIME = id("time");
  static final int ZONE = id("zone");
  static final int AUTHORIZATION = id("authorization");
  static final int ALTER = id("alter");
  static final int CREATE = id("create");
  static final int DROP = id("drop");
  static final int TRUNCATE = id("truncate");
  static final int LOCK = id("lock");
  static final int COPY = id("copy");
  static final int EXPLAIN = id("explain");
  static final int DISTINCT = id("distinct");
  static final int EXTRACT = id("extract");
  static final int SUBSTRING = id("substring");
  static final int TRIM = id("trim");
  static final int OVERLAY = id("overlay");
  static final int KEY = id("key");
  static final int DO = id("do");
  static final int THEN = id("then");
  static final int ON = id("on");
  static final int INDEX = id("index");
  static final int VIEW = id("view");
  static final int MATERIALIZED = id("materialized");
  static final int REFRESH = id("refresh");
  static final int START = id("start");
  static final int END = id("end");
  static final int ABORT = id("abort");
  static final int TABLESAMPLE = id("tablesample");
  static final int STDIN = id("stdin");
  static final int STDOUT = id("stdout");
  static final int PROGRAM = id("program");
  static final int IF = id("if");
  static final int EXISTS = id("exists");
  static final int OR = id("or");
  static final int REPLACE = id("replace");
  static final int UNIQUE = id("unique");
  static final int TEMP = id("temp");
  static final int TEMPORARY = id("temporary");
  static final int UNLOGGED = id("unlogged");
  static final int CONCURRENTLY = id("concurrently");
  static final int VACUUM = id("vacuum");
  static final int ANALYZE = id("analyze");
  static final int FULL = id("full");
  static final int FREEZE = id("freeze");
  static final int VERBOSE = id("verbose");

  private Keywords() {
  }

  /** Keyword id of {@code s[start, end)} folded to lower case, or -1. */
  static int lookup(String s, int start, int end) {
    char[] c = s.substring(start, end).toCharArray();
    return lookup(c, 0, c.length, hash(c, 0, c.length));
  }

  /** As {@link #lookup(String, int, int)}, with {@code hash} as {@link #hash} computes it. */
  static int lookup(char[] s, int start, int end, long hash) {
    long packed = pack(s, start, Math.min(end, start + 8));
    return packed < 0 ? -1 : lookup(s, start, end, hash, packed);
  }

  /** The first (at most eight) characters of a word packed as {@link #hash} packs them; -1 beyond ASCII. */
  private static long pack(char[] s, int start, int end) {
    long packed = 0;
    for (int i = start; i < end; i++) {
      if (s[i] >= 0x80) {
        return -1;
      }
      packed = packed << 8 | LOWER[s[i]];
    }
    return packed;
  }

  /**
   * The lookup itself, for a word whose first eight characters (all of them, for a word of at most eight) are
   * {@code packed}: the lexer has them from hashing, and a short word is then compared as one long.
   */
  static int lookup(char[] s, int start, int end, long hash, long packed) {
    final int length = end - start;
    if (length > MAX_LEN) {
      return -1;
    }
    int slot = slot(hash);
    while (true) {
      int id = SLOTS[slot];
      if (id < 0) {
        return -1;
      }
      if (HASHES[id] == hash) {
        if (length <= 8 ? PACKED[id] == packed : CHARS[id].length == length && equalsFolded(CHARS[id], s, start)) {
          return id;
        }
      }
      slot = (slot + 1) & MASK;
    }
  }

  /**
   * A word's hash, folded to lower case as PostgreSQL folds unquoted names; it serves the keyword table and the
   * fingerprint, so that a word is hashed once. An ASCII word is packed eight characters to a long and mixed
   * once per eight (before the ninth, the seventeenth, ...): a multiply per character would make the lexer wait
   * on a chain of multiplies. The lexer inlines this loop ({@link Lexer}); both must agree.
   */
  static long hash(char[] s, int start, int end) {
    long h = 0;
    long packed = 0;
    for (int i = start; i < end; i++) {
      char c = s[i];
      if (c >= 0x80) {
        return wideHash(s, start, end);
      }
      if (i > start && ((i - start) & 7) == 0) {
        h = mix(h, packed);
        packed = 0;
      }
      packed = packed << 8 | LOWER[c];
    }
    return finish(h, packed, end - start);
  }

  /** Eight packed characters into a word's hash. */
  static long mix(long h, long packed) {
    return (h ^ packed) * WORD_PRIME;
  }

  /** The end of {@link #hash}: the last, partly filled pack and the length. */
  static long finish(long h, long packed, int length) {
    return mix(h, packed) ^ length;
  }

  /** A word with a character beyond ASCII: one step per character (rare, and never a keyword). */
  private static long wideHash(char[] s, int start, int end) {
    long h = ~0L;
    for (int i = start; i < end; i++) {
      h = (h + lower(s[i])) * WORD_PRIME;
    }
    return h;
  }

  static int flags(int id) {
    return id < 0 ? 0 : FLAGS[id];
  }

  static boolean has(int id, int flag) {
    return id >= 0 && (FLAGS[id] & flag) != 0;
  }

  static String word(int id) {
    return WORDS[id];
  }

  static String upper(int id) {
    return UPPER[id];
  }

  static char lower(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
  }

  private static boolean equalsFolded(char[] w, char[] s, int start) {
    for (int i = 0; i < w.length; i++) {
      if (w[i] != lower(s[start + i])) {
        return false;
      }
    }
    return true;
  }

  private static int slot(long h) {
    // high bits of the product: they depend on every input bit
    return (int) ((h * 0x9E3779B97F4A7C15L) >>> (64 - TABLE_BITS));
  }

  private static int id(String w) {
    int id = lookup(w, 0, w.length());
    if (id < 0) {
      throw new IllegalStateException("keyword table lacks " + w);
    }
    return id;
  }

  private static void add(String w, int flags) {
    if (lookup(w, 0, w.length()) >= 0) {
      addFlags(w, flags);
      return;
    }
    int id = count++;
    WORDS[id] = w;
    CHARS[id] = w.toCharArray();
    UPPER[id] = w.toUpperCase(java.util.Locale.ROOT);
    FLAGS[id] = flags;
    long h = hash(CHARS[id], 0, w.length());
    HASHES[id] = h;
    PACKED[id] = pack(CHARS[id], 0, Math.min(8, w.length()));
    int slot = slot(h);
    while (SLOTS[slot] >= 0) {
      slot = (slot + 1) & MASK;
    }
    SLOTS[slot] = (short) id;
  }

  private static void addFlags(String w, int flags) {
    int id = lookup(w, 0, w.length());
    if (id < 0) {
      add(w, flags);
    } else {
      FLAGS[id] |= flags;
    }
  }
}
