/** threadbare journal. */
package dev.threadbare.journal;
