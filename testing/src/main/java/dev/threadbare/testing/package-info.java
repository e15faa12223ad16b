/** threadbare testing. */
package dev.threadbare.testing;
