/** threadbare pgwire. */
package dev.threadbare.pgwire;
