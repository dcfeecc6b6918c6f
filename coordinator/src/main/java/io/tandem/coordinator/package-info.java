/** Tandem coordinator: replicated assignments with fencing tokens on Apache Ratis. */
package io.tandem.coordinator;
