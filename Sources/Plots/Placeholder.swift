public enum PlotsModule {}
