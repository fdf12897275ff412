/** Spring Boot auto-configuration for pgintel. Filled in by the starter issue. */
package io.pgintel.spring;
