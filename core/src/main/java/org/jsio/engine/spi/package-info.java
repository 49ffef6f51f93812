/**
 * The seam between the engine and a container: an HTTP exchange and a WebSocket connection.
 * Container adapters (the servlet module, the in-process test client) implement these types.
 */
package org.jsio.engine.spi;
