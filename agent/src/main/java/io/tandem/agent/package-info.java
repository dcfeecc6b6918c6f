/** Tandem agent. */
package io.tandem.agent;
