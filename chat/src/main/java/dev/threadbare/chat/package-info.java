/** threadbare chat. */
package dev.threadbare.chat;
