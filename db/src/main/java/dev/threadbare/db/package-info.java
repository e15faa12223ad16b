/** threadbare db. */
package dev.threadbare.db;
