package io.pgintel.collect.settings;

/** How many settings were changed in the configuration and wait for a server restart to take effect. */
public record PendingRestart(long settings) {}
